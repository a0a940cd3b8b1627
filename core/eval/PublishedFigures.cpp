#include "core/eval/PublishedFigures.h"

#include <cmath>
#include <utility>

namespace recscope {

namespace {

// One published table: its set-up and source, shared by its rows.
struct TableSpec {
    std::string id;
    std::string title;
    std::string source;
    std::string family;
    FigureSetup setup;
};

// A row of a table: one model's published numbers.
struct Row {
    std::string publishedModel;
    std::string model;  // RecScope name; "" = RecScope has no such model
    std::vector<std::pair<std::string, double>> values;  // metric key -> published value
    FigureKind kind = FigureKind::Value;
    std::map<std::string, std::string> params = {};
    std::string note = {};
    std::string key = {};  // in the id; default: the RecScope model, else the published name
};

int cutOff(const std::string& metric) {
    const auto at = metric.find('@');
    return at == std::string::npos ? 0 : std::stoi(metric.substr(at + 1));
}

SplitConfig temporal(int nTest, double threshold) {
    SplitConfig s = defaultSplitConfig(Protocol::Temporal);
    s.nTest = nTest;
    s.threshold = threshold;
    return s;
}

SplitConfig ratio(double test, double val) {
    SplitConfig s = defaultSplitConfig(Protocol::Ratio);
    s.testFraction = test;
    s.valFraction = val;
    return s;
}

FigureSetup full(SplitConfig split, int negatives = 0,
                 NegativeSampler sampler = NegativeSampler::Uniform,
                 SetupDetail detail = SetupDetail::Full) {
    return {std::move(split), negatives, sampler, detail};
}

struct Catalogue {
    std::vector<PublishedFigure> figures;
    std::vector<std::pair<std::string, std::string>> titles;  // table id -> title

    void add(const TableSpec& t, const std::vector<Row>& rows) {
        titles.emplace_back(t.id, t.title);
        for (const Row& r : rows)
            for (const auto& [metric, value] : r.values) {
                PublishedFigure f;
                f.table = t.id;
                const std::string key =
                    !r.key.empty() ? r.key : (r.model.empty() ? r.publishedModel : r.model);
                f.id = t.id + "/" + key + "/" + metric;
                f.source = t.source;
                f.datasetFamily = t.family;
                f.publishedModel = r.publishedModel;
                f.model = r.model;
                f.params = r.params;
                f.metric = metric;
                f.k = cutOff(metric);
                f.value = value;
                f.kind = r.kind;
                f.setup = t.setup;
                f.note = r.note;
                figures.push_back(std::move(f));
            }
    }
};

Catalogue build() {
    Catalogue c;
    // P1 temporal, seed 003 (MovieLens 1M).
    c.add({"seed003-temporal-ml1m",
           "Seed 003, MovieLens 1M, temporal (5 test, 1 validation, min-train 5, threshold 4)",
           "seed 003", "ml-1m", full(temporal(5, 4.0))},
          {{"NeuralMF (concat MLP, BCE, 4 uniform negatives)",
            "neuralmf",
            {{"recall@10", 0.0673},
             {"ndcg@10", 0.0469},
             {"mrr@10", 0.0672},
             {"hit@10", 0.1903},
             {"coverage@10", 0.170},
             {"avgpop@10", 1333}}},
           {"BPR-MF (popular hard negatives)",
            "bpr",
            {{"recall@10", 0.0512},
             {"ndcg@10", 0.0362},
             {"mrr@10", 0.0525},
             {"hit@10", 0.1486},
             {"coverage@10", 0.043},
             {"avgpop@10", 1937}},
            FigureKind::Value,
            {{"sampler", "popularity"}}}});
    // P1 temporal, seed 000 (nanoRecSys, MovieLens 20M): last 5 to test, threshold 3.5.
    c.add({"seed000-temporal-ml20m",
           "Seed 000 (nanoRecSys), MovieLens 20M, temporal (last 5 to test, threshold 3.5)",
           "seed 000 (nanoRecSys)", "ml-20m",
           full(temporal(5, 3.5), 0, NegativeSampler::Uniform, SetupDetail::Partial)},
          {{"Popularity", "pop", {{"recall@100", 0.202}, {"ndcg@10", 0.026}}},
           {"Two-tower retriever",
            "twotower",
            {{"recall@100", 0.304}, {"ndcg@10", 0.026}, {"hit@100", 0.544}}},
           {"Two-stage (two-tower + ranker)",
            "pipeline",
            {{"ndcg@10", 0.032}, {"hit@10", 0.136}, {"mrr@10", 0.045}}}});
    // P2 loo, NCF protocol (MovieLens 1M, 99 uniform negatives).
    const FigureSetup ncf = full(defaultSplitConfig(Protocol::Loo), 99);
    c.add({"ncf-loo-ml1m",
           "NCF protocol, MovieLens 1M, leave-one-out, 99 uniform negatives (He et al. 2017; "
           "Dacrema et al. 2019)",
           "He et al. 2017 (NCF); Dacrema et al., RecSys 2019", "ml-1m", ncf},
          {{"NeuMF with pre-training (64 factors)",
            "neumf",
            {{"hit@10", 0.730}, {"ndcg@10", 0.447}},
            FigureKind::Value,
            {{"pretrain", "true"}, {"factors", "64"}},
            "He et al. 2017",
            "neumf-pretrain"},
           {"EASE^R", "ease", {{"hit@10", 0.7192}, {"ndcg@10", 0.4494}}},
           {"SLIM", "", {{"hit@10", 0.7161}, {"ndcg@10", 0.4470}}},
           {"iALS", "ials", {{"hit@10", 0.7109}, {"ndcg@10", 0.4382}}},
           {"NeuMF (rerun)", "neumf", {{"hit@10", 0.7120}, {"ndcg@10", 0.4369}}},
           {"PureSVD", "puresvd", {{"hit@10", 0.6937}, {"ndcg@10", 0.4303}}},
           {"ItemKNN", "itemknn", {{"hit@10", 0.6694}, {"ndcg@10", 0.3979}}},
           {"MF-BPR", "bpr", {{"hit@10", 0.6305}, {"ndcg@10", 0.3730}}},
           {"TopPop", "pop", {{"hit@10", 0.4531}, {"ndcg@10", 0.2542}}}});
    // P2 loo, BERT4Rec protocol (100 popularity-sampled negatives).
    const FigureSetup bert =
        full(defaultSplitConfig(Protocol::Loo), 100, NegativeSampler::Popularity);
    c.add({"bert4rec-loo-ml1m",
           "BERT4Rec protocol, MovieLens 1M, leave-one-out, 100 popularity-sampled negatives",
           "Sun et al. 2019 (BERT4Rec, arXiv 1904.06690)", "ml-1m", bert},
          {{"POP", "pop", {{"hit@10", 0.1358}, {"ndcg@10", 0.0621}, {"mrr", 0.0627}}},
           {"BPR-MF", "bpr", {{"hit@10", 0.4301}, {"ndcg@10", 0.2365}, {"mrr", 0.2009}}},
           {"NCF", "neumf", {{"hit@10", 0.3477}, {"ndcg@10", 0.1640}, {"mrr", 0.1358}}}});
    c.add({"bert4rec-loo-ml20m",
           "BERT4Rec protocol, MovieLens 20M, leave-one-out, 100 popularity-sampled negatives",
           "Sun et al. 2019 (BERT4Rec); seed 000", "ml-20m", bert},
          {{"POP", "pop", {{"hit@10", 0.1378}, {"ndcg@10", 0.0695}, {"mrr", 0.0709}}},
           {"NCF", "neumf", {{"hit@10", 0.2922}, {"ndcg@10", 0.1271}, {"mrr", 0.1072}}},
           {"Two-stage (seed 000)",
            "pipeline",
            {{"hit@10", 0.3788}, {"ndcg@10", 0.1915}, {"mrr", 0.1587}},
            FigureKind::Value,
            {},
            "seed 000's own model"}});
    // Seed 002: expectations on MovieLens 100K (split not stated; NCF's loo for the HR@10).
    c.add({"seed002-loo-ml100k",
           "Seed 002, MovieLens 100K, leave-one-out, 99 uniform negatives (expected HR@10)",
           "seed 002", "ml-100k", ncf},
          {{"NeuMF (implicit)", "neumf", {{"hit@10", 0.65}}, FigureKind::AtLeast},
           {"Two-tower", "twotower", {{"hit@10", 0.60}}, FigureKind::AtLeast}});
    c.add({"seed002-ratio-ml100k",
           "Seed 002, MovieLens 100K, random 80/20 split (expected RMSE; split not stated)",
           "seed 002", "ml-100k",
           full(ratio(0.2, 0.0), 0, NegativeSampler::Uniform, SetupDetail::Protocol)},
          {{"Matrix factorisation with biases", "mf", {{"rmse", 0.95}}, FigureKind::AtMost}});
    // P3 ratio, Microsoft Recommenders (MovieLens 100K, 75/25 stratified by item).
    SplitConfig msr = ratio(0.25, 0.0);
    msr.stratify = Stratify::Item;
    msr.exclude = ExcludeRule::Rated;
    c.add({"msr-ratio-ml100k",
           "Microsoft Recommenders benchmark, MovieLens 100K, 75/25 random split stratified by "
           "item, full ranking without training items",
           "Microsoft Recommenders (benchmarks)", "ml-100k", full(msr)},
          {{"BPR",
            "bpr",
            {{"map@10", 0.1325},
             {"ndcg@10", 0.4420},
             {"precision@10", 0.3882},
             {"recall@10", 0.2125}}},
           {"BiVAE", "", {{"ndcg@10", 0.4751}}},
           {"SAR", "", {{"ndcg@10", 0.3823}}},
           {"NCF", "neumf", {{"ndcg@10", 0.3961}}},
           {"LightGCN", "", {{"ndcg@10", 0.4176}}},
           {"SVD (Surprise)", "mf", {{"rmse", 0.9387}, {"mae", 0.7427}}},
           {"ALS (Spark, explicit)", "", {{"rmse", 0.9650}}}});
    // P3 ratio, RecBole (MovieLens 1M, ratings >= 3, 10-core, per-user 80/10/10).
    SplitConfig recbole = ratio(0.1, 0.1);
    recbole.minRating = 3.0;
    recbole.kcore = 10;
    c.add({"recbole-ratio-ml1m",
           "RecBole, MovieLens 1M, ratings >= 3, 10-core, per-user random 80/10/10, full ranking",
           "RecBole (benchmarks)", "ml-1m", full(recbole)},
          {{"Pop", "pop", {{"recall@10", 0.0699}, {"ndcg@10", 0.1006}, {"hit@10", 0.4572}}},
           {"ItemKNN", "itemknn", {{"recall@10", 0.1723}, {"ndcg@10", 0.2389}, {"hit@10", 0.7139}}},
           {"BPR", "bpr", {{"recall@10", 0.1725}, {"ndcg@10", 0.2407}, {"hit@10", 0.7131}}},
           {"NeuMF", "neumf", {{"recall@10", 0.1717}, {"ndcg@10", 0.2393}, {"hit@10", 0.7149}}},
           {"LightGCN", "", {{"recall@10", 0.1823}, {"ndcg@10", 0.2476}, {"hit@10", 0.7316}}},
           {"MultiVAE", "", {{"recall@10", 0.1995}, {"ndcg@10", 0.2523}, {"hit@10", 0.7650}}},
           {"EASE", "ease", {{"recall@10", 0.2139}, {"ndcg@10", 0.2865}, {"hit@10", 0.7837}}},
           {"ADMMSLIM", "", {{"recall@10", 0.2134}, {"ndcg@10", 0.2904}, {"hit@10", 0.7804}}}});
    // Seed 004: MovieLens 100K BPR-MF, split not stated.
    c.add({"seed004-ml100k", "Seed 004, MovieLens 100K, BPR-MF (split not stated)", "seed 004",
           "ml-100k", full(ratio(0.2, 0.0), 0, NegativeSampler::Uniform, SetupDetail::Protocol)},
          {{"BPR-MF", "bpr", {{"recall@10", 0.1007}, {"ndcg@10", 0.0508}}}});
    // P4 strong generalisation, MovieLens 20M (10,000 held-out test users).
    SplitConfig strong = defaultSplitConfig(Protocol::Strong);
    strong.heldoutUsers = 10000;
    c.add({"strong-ml20m",
           "Strong generalisation, MovieLens 20M, ratings >= 4, 10,000 held-out users, 80% "
           "fold-in / 20% target (Mult-VAE, EASE, RecVAE, VASP papers)",
           "Liang et al. 2018; Steck 2019; Shenbin et al. 2020; Vancura & Kordik 2021", "ml-20m",
           full(strong)},
          {{"Mult-VAE",
            "",
            {{"recall_capped@20", 0.395}, {"recall_capped@50", 0.537}, {"ndcg@100", 0.426}}},
           {"EASE",
            "ease",
            {{"recall_capped@20", 0.391}, {"recall_capped@50", 0.521}, {"ndcg@100", 0.420}}},
           {"RecVAE",
            "",
            {{"recall_capped@20", 0.414}, {"recall_capped@50", 0.553}, {"ndcg@100", 0.442}}},
           {"VASP (2021)",
            "",
            {{"recall_capped@20", 0.414}, {"recall_capped@50", 0.552}, {"ndcg@100", 0.448}}}});
    return c;
}

const Catalogue& catalogue() {
    static const Catalogue c = build();
    return c;
}

bool same(double a, double b) {
    return std::fabs(a - b) < 1e-9;
}

}  // namespace

const std::vector<PublishedFigure>& publishedFigures() {
    return catalogue().figures;
}

std::string figureTableTitle(const std::string& table) {
    for (const auto& [id, title] : catalogue().titles)
        if (id == table)
            return title;
    return {};
}

std::string datasetFamily(const std::string& formatName, int64_t ratings) {
    if (formatName == "100k")
        return "ml-100k";
    if (formatName == "1m")
        return "ml-1m";
    if (formatName == "10m")
        return "ml-10m";
    if (formatName != "csv" || ratings <= 0)
        return {};
    // The csv releases differ by size only.
    const std::pair<int64_t, const char*> releases[] = {
        {20000263, "ml-20m"}, {25000095, "ml-25m"}, {32000204, "ml-32m"}};
    for (const auto& [count, name] : releases)
        if (ratings == count)
            return name;
    if (ratings < 1000000)
        return "ml-latest-small";
    return "ml-latest";
}

int64_t releaseRatings(const std::string& family) {
    const std::pair<const char*, int64_t> counts[] = {
        {"ml-100k", 100000},        {"ml-1m", 1000209},   {"ml-10m", 10000054},
        {"ml-20m", 20000263},       {"ml-25m", 25000095}, {"ml-32m", 32000204},
        {"ml-latest-small", 100836}};
    for (const auto& [name, count] : counts)
        if (family == name)
            return count;
    return 0;
}

bool setupMatches(const FigureSetup& figure, const SplitConfig& split, int negatives,
                  NegativeSampler sampler) {
    const SplitConfig& f = figure.split;
    if (f.protocol != split.protocol || figure.negatives != negatives)
        return false;
    if (negatives > 0 && figure.sampler != sampler)
        return false;
    if (negatives == 0 && f.exclude != split.exclude)
        return false;
    if (figure.detail == SetupDetail::Protocol)
        return true;
    if (!same(f.threshold, split.threshold) || !same(f.minRating, split.minRating) ||
        f.kcore != split.kcore)
        return false;
    const bool lastN = f.protocol == Protocol::Temporal;
    const bool shares = f.protocol == Protocol::Ratio || f.protocol == Protocol::Strong;
    if (lastN && f.nTest != split.nTest)
        return false;
    if (shares && !same(f.testFraction, split.testFraction))
        return false;
    if (figure.detail == SetupDetail::Partial)
        return true;
    if (lastN && f.nVal != split.nVal)
        return false;
    if ((lastN || f.protocol == Protocol::Loo || f.protocol == Protocol::Strong) &&
        f.minTrain != split.minTrain)
        return false;
    if (f.protocol == Protocol::Ratio &&
        (!same(f.valFraction, split.valFraction) || f.stratify != split.stratify))
        return false;
    // Strong: the held-out count scales with the data; the published one is recorded for
    // `reproduce`, any count compares.
    return true;
}

std::vector<const PublishedFigure*> matchingFigures(const SplitConfig& split, int negatives,
                                                    NegativeSampler sampler,
                                                    const std::string& family, int k) {
    std::vector<const PublishedFigure*> out;
    if (family.empty())
        return out;
    for (const PublishedFigure& f : publishedFigures())
        if (f.datasetFamily == family && (f.k == 0 || f.k == k) &&
            setupMatches(f.setup, split, negatives, sampler))
            out.push_back(&f);
    return out;
}

}  // namespace recscope
