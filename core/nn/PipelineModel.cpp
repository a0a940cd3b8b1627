#include "core/nn/PipelineModel.h"
#include "core/nn/PipelineFile.h"

#include "core/eval/Exclusion.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>

#include "core/eval/Evaluator.h"
#include "core/eval/Exclusion.h"
#include "core/index/VectorIndex.h"
#include "core/models/FoldIn.h"
#include "core/models/ModelRegistry.h"
#include "core/pipeline/CandidateRetriever.h"
#include "core/pipeline/ContextFeatures.h"
#include "core/pipeline/ItemFeatures.h"
#include "core/pipeline/Mmr.h"
#include "core/pipeline/RankerCandidates.h"
#include "core/split/Split.h"

namespace recscope {

namespace {

const std::string kRetrieverPrefix = "retriever.";
const std::string kRankerPrefix = "ranker.";

// Offset between the final list's scores and the rest (see PipelineModel.h).
constexpr float kBelowList = 10.0f;

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

std::map<std::string, std::string> withPrefix(const ParamValues& values,
                                              const std::string& prefix) {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : values.values())
        if (startsWith(k, prefix))
            out[k.substr(prefix.size())] = v;
    return out;
}

// Forwards training events while mapping one stage's progress into [from, to].
ProgressFn scaledProgress(const ProgressFn& fn, double from, double to, const std::string& stage) {
    if (!fn)
        return {};
    return [fn, from, to, stage](const Progress& p) {
        fn(Progress{stage + ": " + p.stage, p.fraction < 0 ? -1 : from + (to - from) * p.fraction});
    };
}

// The training part with each user's latest `share` of training ratings moved out (time order
// within a user is the split's). The prefix keeps at least 3 ratings; users too short to spare
// one keep everything. Validation and test are dropped: the prefix only trains a first stage.
Split prefixSplit(const Split& split, double share, Interactions& heldOut) {
    Split out;
    out.config = split.config;
    out.threshold = split.threshold;
    out.numUsers = split.numUsers;
    out.numItems = split.numItems;
    const auto& t = split.train;
    size_t s = 0;
    while (s < t.size()) {
        size_t e = s;
        while (e < t.size() && t.users[e] == t.users[s])
            ++e;
        const auto n = static_cast<int64_t>(e - s);
        auto h = static_cast<int64_t>(std::floor(share * static_cast<double>(n) + 0.5));
        if (n - h < 3)
            h = std::max<int64_t>(0, n - 3);
        const size_t cut = e - static_cast<size_t>(h);
        for (size_t r = s; r < e; ++r) {
            auto& part = r < cut ? out.train : heldOut;
            part.append(t.users[r], t.items[r], t.ratings[r], t.timestamps[r]);
        }
        s = e;
    }
    return out;
}

}  // namespace

PipelineModel::PipelineModel() = default;
PipelineModel::~PipelineModel() = default;

std::vector<ParamSpec> PipelineModel::paramSpecs() const {
    std::vector<ParamSpec> specs;
    for (auto s : m_retriever.paramSpecs()) {
        // The retriever never refits on train + validation here: the ranker's training and
        // the pipeline's fit record assume the stages saw the same data.
        if (s.name == "refit")
            continue;
        s.name = kRetrieverPrefix + s.name;
        specs.push_back(std::move(s));
    }
    for (auto s : RankerModel::paramSpecs()) {
        s.name = kRankerPrefix + s.name;
        specs.push_back(std::move(s));
    }
    specs.push_back({"pipeline.candidates",
                     ParamType::Int,
                     "150",
                     1,
                     5000,
                     {},
                     "Candidates the retriever passes to the ranker per user (N)"});
    specs.push_back({"pipeline.second",
                     ParamType::Choice,
                     "ease",
                     0,
                     0,
                     {"ease", "itemknn", "none"},
                     "Second model beside the retriever: its best items join the candidates and "
                     "its scores feed the ranker (none: the retriever's candidates alone)"});
    specs.push_back({"pipeline.second_candidates",
                     ParamType::Int,
                     "100",
                     0,
                     5000,
                     {},
                     "The second model's top-M added to the candidates (M; 0: its scores only)"});
    specs.push_back({"pipeline.recent",
                     ParamType::Int,
                     "10",
                     0,
                     1000,
                     {},
                     "The second model also scores each user's latest R positives alone, an "
                     "input of the ranker (R; 0: off)"});
    specs.push_back({"pipeline.mmr_lambda",
                     ParamType::Float,
                     "1",
                     0.0,
                     1.0,
                     {},
                     "MMR trade-off: 1 keeps the ranker's order, lower values favour genre "
                     "diversity"});
    specs.push_back({"pipeline.index",
                     ParamType::Choice,
                     "auto",
                     0,
                     0,
                     {"auto", "Flat", "IVF64,Flat", "IVF256,Flat", "IVF1024,Flat", "HNSW16",
                      "HNSW32", "HNSW64"},
                     "Candidate index: auto = exact (Flat) below 50,000 items, else HNSW32"});
    return specs;
}

int32_t PipelineModel::numItems() const {
    return m_retriever.numItems();
}

int32_t PipelineModel::candidates() const {
    const auto n = static_cast<int32_t>(m_params.getInt("pipeline.candidates"));
    if (m_params.getString("pipeline.second") == "none")
        return n;
    return n + static_cast<int32_t>(m_params.getInt("pipeline.second_candidates"));
}

std::string PipelineModel::candidateIndex() const {
    return m_index ? m_index->description() : std::string();
}

Result<std::unique_ptr<Recommender>> PipelineModel::fitSecond(const TrainData& data,
                                                              const FitContext& context) const {
    const std::string name = m_params.getString("pipeline.second");
    if (name == "none")
        return std::unique_ptr<Recommender>();
    auto model = ModelRegistry::global().create(name);
    if (!model)
        return makeError("pipeline: unknown second model '" + name + "'");
    if (auto st = model->configure({}); !st)
        return st.error();
    FitContext quiet;  // its progress is not the pipeline's
    quiet.seed = context.seed;
    quiet.cancel = context.cancel;
    quiet.device = context.device;
    if (auto st = model->fit(data, quiet); !st)
        return st.error();
    return model;
}

SecondSource PipelineModel::secondSource(const Recommender* model,
                                         const LatestItems* latest) const {
    SecondSource s;
    if (!model)
        return s;
    s.scores = [model](const int32_t* users, int64_t n, float* out) {
        model->scoreUsers(users, n, out);
    };
    if (latest && model->canFoldIn() && m_params.getInt("pipeline.recent") > 0)
        s.recent = [model, latest](const int32_t* users, int64_t n, float* out) {
            const int32_t ni = model->numItems();
            std::vector<HistoryEntry> history;
            for (int64_t r = 0; r < n; ++r) {
                float* row = out + r * ni;
                std::fill(row, row + ni, 0.0f);
                const int32_t u = users[r];
                if (u < 0 || static_cast<size_t>(u) >= latest->size())
                    continue;
                history.clear();
                for (int32_t i : (*latest)[static_cast<size_t>(u)])
                    history.push_back({i, 0.0f, true});
                if (!history.empty() && !model->scoreHistory(history, row))
                    std::fill(row, row + ni, 0.0f);
            }
        };
    s.topM = static_cast<int32_t>(m_params.getInt("pipeline.second_candidates"));
    s.numItems = model->numItems();
    return s;
}

Result<RankerCandidates> PipelineModel::servingCandidates(const int32_t* users, int64_t n,
                                                          const float* queries) const {
    auto first = retrieveCandidates(*m_index, queries, users, n, &m_seen,
                                    static_cast<int32_t>(m_params.getInt("pipeline.candidates")));
    if (!first)
        return first.error();
    return rankerCandidates(first.value(), queries, m_retriever.itemVectors(), m_retriever.dim(),
                            numItems(), secondSource(m_second.get(), &m_latest), &m_seen);
}

Status PipelineModel::fit(const TrainData& data, const FitContext& context) {
    if (auto st = m_retriever.configure(withPrefix(m_params, kRetrieverPrefix)); !st)
        return st;
    if (auto st = m_ranker.configure(withPrefix(m_params, kRankerPrefix)); !st)
        return st;
    m_index.reset();
    m_numUsers = data.numUsers;

    FitContext stage = context;
    stage.refitOnValidation = false;
    stage.record = nullptr;
    if (context.observer)
        context.observer->onMessage("Training the retriever (two-tower)");
    const bool holdout = m_ranker.holdoutTraining() && data.split;
    stage.progress = scaledProgress(context.progress, 0.0, holdout ? 0.45 : 0.5, "Retriever");
    if (auto st = m_retriever.fit(data, stage); !st)
        return st;
    if (isCancelled(context.cancel))
        return cancelledError();

    auto index = VectorIndex::create(m_params.getString("pipeline.index"), m_retriever.dim());
    if (!index)
        return index.error();
    if (auto st = index->build(m_retriever.itemVectors(), m_retriever.numItems()); !st)
        return st;
    m_index = std::make_unique<VectorIndex>(std::move(index.value()));
    // Candidates skip what every list of the run leaves out anyway (the run's rule), never more.
    m_seen = data.listExclusion();
    m_seen.values.clear();
    m_exclude = data.split ? data.split->config.exclude : ExcludeRule::Positives;
    m_genreMasks = ItemFeatures::fromDataset(data.dataset, data.numItems).genreMasks;
    if (context.observer && m_params.getString("pipeline.second") != "none")
        context.observer->onMessage("Fitting the second model (" +
                                    m_params.getString("pipeline.second") + ")");
    auto second = fitSecond(data, context);
    if (!second)
        return second.error();
    m_second = std::move(second.value());
    m_latest.clear();
    if (data.split)
        m_latest = latestPositives(data.split->train, data.split->threshold, data.numUsers,
                                   static_cast<int>(m_params.getInt("pipeline.recent")));

    ValidateFn validate;
    if (data.split && !data.split->validation.empty()) {
        // The ranker's validation_users: a seeded sample of the users at scale.
        validate = [this, &data, cancel = context.cancel,
                    users = EpochTrainer::validationUsers(
                        data, m_params.getInt(kRankerPrefix + "validation_users"),
                        context.seed)]() -> Result<std::map<std::string, double>> {
            EvalConfig ec;
            ec.ks = {10};
            ec.keepPerUser = false;
            ec.users = users;
            auto r = evaluate(*this, data, EvalPart::Validation, ec, cancel);
            if (!r)
                return r.error();
            return r->metrics;
        };
    }
    if (holdout)
        return fitRankerOnHoldout(data, context, std::move(validate));

    // Hard negatives: each known user's retriever top-N minus the user's training positives.
    std::vector<int32_t> users;
    for (int32_t u = 0; u < data.numUsers; ++u)
        if (m_retriever.knownUser(u))
            users.push_back(u);
    const int d = m_retriever.dim();
    std::vector<float> queries(users.size() * static_cast<size_t>(d));
    for (size_t k = 0; k < users.size(); ++k)
        std::copy(m_retriever.userVectors() + static_cast<int64_t>(users[k]) * d,
                  m_retriever.userVectors() + static_cast<int64_t>(users[k] + 1) * d,
                  queries.begin() + static_cast<int64_t>(k) * d);
    if (context.observer)
        context.observer->onMessage("Mining hard negatives from the retriever's top-N");
    auto hard = retrieveCandidates(
        *m_index, queries.data(), users.data(), static_cast<int64_t>(users.size()), &data.positives,
        static_cast<int32_t>(m_ranker.params().getInt("hard_pool")), context.cancel);
    if (!hard)
        return hard.error();

    if (context.observer)
        context.observer->onMessage("Training the ranker");
    stage.progress = scaledProgress(context.progress, 0.5, 1.0, "Ranker");
    // Ranker epochs: the watch list shows the whole pipeline's lists.
    stage.watchModel = this;
    stage.watchData = &data;
    return m_ranker.fit(data, hard.value(), m_retriever, stage, std::move(validate));
}

Status PipelineModel::fitRankerOnHoldout(const TrainData& data, const FitContext& context,
                                         ValidateFn validate) {
    // First stage without each user's latest ratings, trained as long as the serving retriever.
    Interactions heldOut;
    const Split prefix = prefixSplit(*data.split, m_ranker.params().getFloat("holdout"), heldOut);
    const TrainData prefixData = TrainData::build(prefix, data.dataset);
    auto overrides = withPrefix(m_params, kRetrieverPrefix);
    overrides["epochs"] = std::to_string(std::max(1, m_retriever.fitStats().bestEpoch));
    overrides["patience"] = "0";
    TwoTowerModel first;
    if (auto st = first.configure(overrides); !st)
        return st;
    if (context.observer)
        context.observer->onMessage("Training the first stage without the latest ratings");
    FitContext stage = context;
    // The watch list follows the serving retriever, not this helper stage.
    stage.watchUsers.clear();
    stage.progress = scaledProgress(context.progress, 0.45, 0.8, "Holdout retriever");
    if (auto st = first.fit(prefixData, stage); !st)
        return st;

    // Its candidates for every user with a held-out positive, labelled by those positives.
    std::vector<std::vector<int32_t>> liked(static_cast<size_t>(data.numUsers));
    for (size_t r = 0; r < heldOut.size(); ++r)
        if (prefix.isPositive(heldOut.ratings[r]))
            liked[static_cast<size_t>(heldOut.users[r])].push_back(heldOut.items[r]);
    std::vector<int32_t> users;
    for (int32_t u = 0; u < data.numUsers; ++u) {
        auto& l = liked[static_cast<size_t>(u)];
        std::sort(l.begin(), l.end());
        if (!l.empty() && first.knownUser(u))
            users.push_back(u);
    }
    if (users.empty())
        return makeError("pipeline: no user has a held-out positive to train the ranker on");
    auto firstIndex = VectorIndex::create(m_params.getString("pipeline.index"), first.dim());
    if (!firstIndex)
        return firstIndex.error();
    if (auto st = firstIndex->build(first.itemVectors(), first.numItems()); !st)
        return st;
    const int d = first.dim();
    std::vector<float> queries(users.size() * static_cast<size_t>(d));
    for (size_t k = 0; k < users.size(); ++k)
        std::copy(first.userVectors() + static_cast<int64_t>(users[k]) * d,
                  first.userVectors() + static_cast<int64_t>(users[k] + 1) * d,
                  queries.begin() + static_cast<int64_t>(k) * d);
    // The lists skip what serving skips (the run's list rule), here in the prefix.
    auto firstLists = retrieveCandidates(
        firstIndex.value(), queries.data(), users.data(), static_cast<int64_t>(users.size()),
        &prefixData.listExclusion(), static_cast<int32_t>(m_params.getInt("pipeline.candidates")),
        context.cancel);
    if (!firstLists)
        return firstLists.error();
    auto prefixSecond = fitSecond(prefixData, context);
    if (!prefixSecond)
        return prefixSecond.error();
    const LatestItems prefixLatest =
        latestPositives(prefix.train, prefix.threshold, data.numUsers,
                        static_cast<int>(m_params.getInt("pipeline.recent")));
    auto lists = rankerCandidates(firstLists.value(), queries.data(), first.itemVectors(), d,
                                  data.numItems, secondSource(prefixSecond->get(), &prefixLatest),
                                  &prefixData.listExclusion(), context.cancel);
    if (!lists)
        return lists.error();
    RankerHoldoutSet set;
    set.lists = &lists.value();
    set.firstStage = &first;
    set.popularity = RankerModel::popularityFeature(prefixData);
    const auto prefixContext =
        ContextFeatures::fromInteractions(prefix.train, data.numUsers, data.numItems);
    set.context = &prefixContext;
    set.labels.assign(lists->items.size(), 0);
    for (size_t k = 0; k < users.size(); ++k) {
        const auto& l = liked[static_cast<size_t>(users[k])];
        const int32_t* row = lists->row(k);
        for (int32_t j = 0; j < lists->rowLength(k); ++j)
            set.labels[k * static_cast<size_t>(lists->perUser) + static_cast<size_t>(j)] =
                std::binary_search(l.begin(), l.end(), row[j]) ? 1 : 0;
    }

    if (context.observer)
        context.observer->onMessage("Training the ranker on the first stage's candidates");
    stage.progress = scaledProgress(context.progress, 0.8, 1.0, "Ranker");
    // Ranker epochs: the watch list shows the whole pipeline's lists, scored during training
    // with the popularity input of the ranker's training rows (serving's is put back when the
    // fit ends), so the last epoch's row can differ slightly from the final model's list.
    stage.watchUsers = context.watchUsers;
    stage.watchModel = this;
    stage.watchData = &data;
    return m_ranker.fitHoldout(data, set, m_retriever, stage, std::move(validate));
}

void PipelineModel::recommendLists(const int32_t* users, int64_t n, int32_t* items,
                                   float* scores) const {
    const int32_t cap = candidates();
    std::fill(items, items + n * cap, -1);
    if (scores)
        std::fill(scores, scores + n * cap, 0.0f);
    if (!m_index || n <= 0)
        return;
    const int d = m_retriever.dim();
    std::vector<int32_t> known;
    std::vector<int64_t> rowOf;
    std::vector<float> queries;
    for (int64_t r = 0; r < n; ++r) {
        if (m_retriever.knownUser(users[r])) {
            known.push_back(users[r]);
            rowOf.push_back(r);
            const float* v = m_retriever.userVectors() + static_cast<int64_t>(users[r]) * d;
            queries.insert(queries.end(), v, v + d);
        } else {
            // Unknown user: the popularity fallback's order, the rule's items skipped.
            const float* f = m_retriever.fallbackScores();
            std::vector<int32_t> order(static_cast<size_t>(numItems()));
            std::iota(order.begin(), order.end(), 0);
            const int32_t u = users[r];
            const bool hasSeen = u >= 0 && u < m_seen.rows;
            const int32_t* sb = hasSeen ? m_seen.indices.data() + m_seen.offsets[u] : nullptr;
            const int32_t* se = hasSeen ? sb + m_seen.rowSize(u) : nullptr;
            order.erase(
                std::remove_if(order.begin(), order.end(),
                               [&](int32_t i) { return sb && std::binary_search(sb, se, i); }),
                order.end());
            const size_t take = std::min(order.size(), static_cast<size_t>(cap));
            std::partial_sort(
                order.begin(), order.begin() + static_cast<int64_t>(take), order.end(),
                [f](int32_t a, int32_t b) { return f[a] > f[b] || (f[a] == f[b] && a < b); });
            for (size_t k = 0; k < take; ++k) {
                items[r * cap + static_cast<int64_t>(k)] = order[k];
                if (scores)
                    scores[r * cap + static_cast<int64_t>(k)] = f[order[k]];
            }
        }
    }
    if (known.empty())
        return;
    auto cands =
        servingCandidates(known.data(), static_cast<int64_t>(known.size()), queries.data());
    if (!cands)
        return;  // cannot happen for a built index and cap > 0
    std::vector<int32_t> pu, pi;
    std::vector<float> inputs;
    for (size_t k = 0; k < known.size(); ++k) {
        const int32_t len = cands->rowLength(k);
        for (int32_t j = 0; j < len; ++j) {
            pu.push_back(known[k]);
            pi.push_back(cands->row(k)[j]);
            const float* in = cands->input(k, j);
            inputs.insert(inputs.end(), in, in + RankerCandidates::kInputs);
        }
    }
    std::vector<float> ps(pu.size());
    m_ranker.scorePairs(pu.data(), pi.data(), static_cast<int64_t>(pu.size()), ps.data(),
                        inputs.data());
    const double lambda = m_params.getFloat("pipeline.mmr_lambda");
    size_t at = 0;
    std::vector<int32_t> order, rankedItems;
    std::vector<float> rankedScores;
    for (size_t k = 0; k < known.size(); ++k) {
        const int32_t len = cands->rowLength(k);
        const int32_t* ci = cands->row(k);
        const float* cs = ps.data() + at;
        at += static_cast<size_t>(len);
        order.resize(static_cast<size_t>(len));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [cs](int32_t a, int32_t b) { return cs[a] > cs[b]; });
        rankedItems.resize(order.size());
        rankedScores.resize(order.size());
        for (size_t j = 0; j < order.size(); ++j) {
            rankedItems[j] = ci[order[j]];
            rankedScores[j] = cs[order[j]];
        }
        std::vector<int32_t> pick(order.size());
        std::iota(pick.begin(), pick.end(), 0);
        if (lambda < 1.0 && !m_genreMasks.empty())
            pick = mmrRerank(rankedItems.data(), rankedScores.data(), len, m_genreMasks.data(),
                             lambda, len);
        const int64_t r = rowOf[k];
        for (size_t j = 0; j < pick.size(); ++j) {
            items[r * cap + static_cast<int64_t>(j)] = rankedItems[static_cast<size_t>(pick[j])];
            if (scores)
                scores[r * cap + static_cast<int64_t>(j)] =
                    rankedScores[static_cast<size_t>(pick[j])];
        }
    }
}

void PipelineModel::scoreUsers(const int32_t* users, int64_t n, float* out) const {
    const int32_t ni = numItems();
    if (n <= 0 || ni <= 0)
        return;
    m_retriever.scoreUsers(users, n, out);
    for (int64_t k = 0; k < n * ni; ++k)
        out[k] -= kBelowList;
    const int32_t cap = candidates();
    std::vector<int32_t> lists(static_cast<size_t>(n) * cap);
    recommendLists(users, n, lists.data(), nullptr);
    for (int64_t r = 0; r < n; ++r) {
        const int32_t* row = lists.data() + r * cap;
        int32_t len = 0;
        while (len < cap && row[len] >= 0)
            ++len;
        for (int32_t j = 0; j < len; ++j)
            out[r * ni + row[j]] = static_cast<float>(len - j);
    }
}

void PipelineModel::scoreCandidates(const int32_t* users, int64_t n, float* out) const {
    const int32_t ni = numItems();
    if (n <= 0 || ni <= 0)
        return;
    m_retriever.scoreUsers(users, n, out);
    if (!m_index)
        return;
    for (int64_t k = 0; k < n * ni; ++k)
        out[k] -= kBelowList;
    const int d = m_retriever.dim();
    std::vector<int32_t> known;
    std::vector<int64_t> rowOf;
    std::vector<float> queries;
    for (int64_t r = 0; r < n; ++r) {
        if (!m_retriever.knownUser(users[r]))
            continue;
        known.push_back(users[r]);
        rowOf.push_back(r);
        const float* v = m_retriever.userVectors() + static_cast<int64_t>(users[r]) * d;
        queries.insert(queries.end(), v, v + d);
    }
    auto cands =
        servingCandidates(known.data(), static_cast<int64_t>(known.size()), queries.data());
    if (!cands)
        return;
    for (size_t k = 0; k < known.size(); ++k) {
        // Only the candidates are ranked (the union can be shorter than candidates()).
        std::fill(out + rowOf[k] * ni, out + (rowOf[k] + 1) * ni, -INFINITY);
        const int32_t len = cands->rowLength(k);
        for (int32_t j = 0; j < len; ++j)
            out[rowOf[k] * ni + cands->row(k)[j]] = 2 * kBelowList + cands->input(k, j)[0];
    }
}

Status PipelineModel::scoreHistory(const std::vector<HistoryEntry>& history, float* out) const {
    const int32_t ni = numItems();
    if (!m_index || ni <= 0 || !m_ranker.trained())
        return Status(notTrainedForFoldIn(name()));
    const std::vector<int32_t> positives = historyItems(history, ni, true);
    // What the run's rule removes from this user's list: the candidates skip it, never more.
    const std::vector<int32_t> rated = excludedHistoryItems(history, m_exclude, ni);
    const int32_t cap = candidates();
    // Beyond the list: the retriever's fold-in cosines (or its fallback), as in scoreUsers().
    m_retriever.scoreItemHistory(positives.data(), static_cast<int64_t>(positives.size()), out);
    for (int32_t i = 0; i < ni; ++i)
        out[i] -= kBelowList;
    std::vector<int32_t> list;
    if (positives.empty()) {
        const float* f = m_retriever.fallbackScores();
        for (int32_t i = 0; i < ni; ++i)
            if (!std::binary_search(rated.begin(), rated.end(), i))
                list.push_back(i);
        const size_t take = std::min(list.size(), static_cast<size_t>(cap));
        std::partial_sort(
            list.begin(), list.begin() + static_cast<std::ptrdiff_t>(take), list.end(),
            [f](int32_t a, int32_t b) { return f[a] > f[b] || (f[a] == f[b] && a < b); });
        list.resize(take);
    } else {
        std::vector<float> query(static_cast<size_t>(m_retriever.dim()));
        m_retriever.historyVector(positives.data(), static_cast<int64_t>(positives.size()),
                                  query.data());
        CsrMatrix exclude;  // one row: the history items the rule removes
        exclude.rows = 1;
        exclude.cols = ni;
        exclude.indices = rated;
        exclude.values.assign(rated.size(), 1.0f);
        exclude.offsets = {0, static_cast<int64_t>(rated.size())};
        const int32_t row = 0;
        auto first =
            retrieveCandidates(*m_index, query.data(), &row, 1, &exclude,
                               static_cast<int32_t>(m_params.getInt("pipeline.candidates")));
        if (!first)
            return first.status();
        // The second model folds the history in too (a model that cannot gives no second
        // candidates and its "no score" inputs).
        SecondSource second;
        Status secondStatus;
        // The latest positives: the history's last R positive entries (its order is time's).
        LatestItems latest(1);
        const auto recent = static_cast<size_t>(m_params.getInt("pipeline.recent"));
        for (auto it = history.rbegin(); it != history.rend() && latest[0].size() < recent; ++it)
            if (it->positive && it->item >= 0 && it->item < ni)
                latest[0].insert(latest[0].begin(), it->item);
        if (m_second && m_second->canFoldIn()) {
            second = secondSource(m_second.get(), &latest);
            second.scores = [this, &history, &secondStatus](const int32_t*, int64_t, float* o) {
                secondStatus = m_second->scoreHistory(history, o);
            };
        }
        auto cands = rankerCandidates(first.value(), query.data(), m_retriever.itemVectors(),
                                      m_retriever.dim(), ni, second, &exclude);
        if (!cands)
            return cands.status();
        if (!secondStatus)
            return secondStatus;
        const int32_t len = cands->rowLength(0);
        const int32_t* ci = cands->row(0);
        // User id -1: the ranker scores the pairs with the user unknown.
        const std::vector<int32_t> users(static_cast<size_t>(len), -1);
        std::vector<float> ps(static_cast<size_t>(len));
        m_ranker.scorePairs(users.data(), ci, len, ps.data(), cands->inputs.data());
        std::vector<int32_t> order(static_cast<size_t>(len));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&ps](int32_t a, int32_t b) { return ps[a] > ps[b]; });
        std::vector<int32_t> rankedItems(order.size());
        std::vector<float> rankedScores(order.size());
        for (size_t j = 0; j < order.size(); ++j) {
            rankedItems[j] = ci[order[j]];
            rankedScores[j] = ps[static_cast<size_t>(order[j])];
        }
        std::vector<int32_t> pick(order.size());
        std::iota(pick.begin(), pick.end(), 0);
        const double lambda = m_params.getFloat("pipeline.mmr_lambda");
        if (lambda < 1.0 && !m_genreMasks.empty())
            pick = mmrRerank(rankedItems.data(), rankedScores.data(), len, m_genreMasks.data(),
                             lambda, len);
        for (int32_t p : pick)
            list.push_back(rankedItems[static_cast<size_t>(p)]);
    }
    const auto len = static_cast<int32_t>(list.size());
    for (int32_t j = 0; j < len; ++j)
        out[list[static_cast<size_t>(j)]] = static_cast<float>(len - j);
    return {};
}

Status PipelineModel::save(const std::string& path) const {
    if (!m_index)
        return makeError("pipeline: nothing to save before fit()");
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec)
        return makeError("cannot create folder: " + ec.message(), path);
    if (auto st = m_retriever.save(path + "/retriever.pt"); !st)
        return st;
    if (auto st = m_ranker.save(path + "/ranker.pt"); !st)
        return st;
    if (m_second)
        if (auto st = m_second->save(path + "/second.model"); !st)
            return st;
    PipelineFile file;
    file.params = m_params.values();
    file.exclude = m_exclude;
    file.seen = m_seen;
    file.latest = m_latest;
    file.genres = m_genreMasks;
    return writePipelineFile(path + "/pipeline.txt", file);
}

Status PipelineModel::load(const std::string& path) {
    const std::string file = path + "/pipeline.txt";
    Result<PipelineFile> read = readPipelineFile(file);
    if (!read)
        return read.error();
    PipelineFile& contents = read.value();
    std::map<std::string, std::string>& overrides = contents.params;
    CsrMatrix& seen = contents.seen;
    overrides.emplace("pipeline.second", "none");  // folders from before the second model
    if (auto st = configure(overrides); !st)
        return Status(makeError(st.error().message, file));
    std::unique_ptr<Recommender> second;
    if (const std::string name = m_params.getString("pipeline.second"); name != "none") {
        second = ModelRegistry::global().create(name);
        if (!second)
            return makeError("pipeline: unknown second model '" + name + "'", file);
        if (auto st = second->load(path + "/second.model"); !st)
            return st;
    }
    if (auto st = m_retriever.load(path + "/retriever.pt"); !st)
        return st;
    if (auto st = m_ranker.load(path + "/ranker.pt", m_retriever); !st)
        return st;
    // The parts must describe one catalogue and one set of users.
    if (seen.rows != m_retriever.numUsers() || seen.cols != m_retriever.numItems())
        return makeError(ErrorCode::BadInput,
                         "the seen items (" + std::to_string(seen.rows) + " users x " +
                             std::to_string(seen.cols) + " items) do not match the retriever (" +
                             std::to_string(m_retriever.numUsers()) + " x " +
                             std::to_string(m_retriever.numItems()) + ")",
                         file);
    for (int32_t item : seen.indices)
        if (item < 0 || item >= seen.cols)
            return makeError(ErrorCode::BadInput, "a seen item id is out of range", file);
    auto index = VectorIndex::create(m_params.getString("pipeline.index"), m_retriever.dim());
    if (!index)
        return index.error();
    if (auto st = index->build(m_retriever.itemVectors(), m_retriever.numItems()); !st)
        return st;
    m_index = std::make_unique<VectorIndex>(std::move(index.value()));
    m_seen = std::move(seen);
    m_exclude = contents.exclude;
    m_second = std::move(second);
    m_latest = std::move(contents.latest);
    m_genreMasks = std::move(contents.genres);
    m_numUsers = m_retriever.numUsers();
    return {};
}

}  // namespace recscope
