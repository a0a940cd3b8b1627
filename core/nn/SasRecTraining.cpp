#include "core/nn/SasRecTraining.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "core/models/TrainData.h"
#include "core/nn/CatalogueSoftmax.h"
#include "core/split/Split.h"

namespace recscope {

ItemSequences timeOrderedSequences(const TrainData& data, bool positivesOnly) {
    ItemSequences out;
    const int32_t users = std::max(data.numUsers, 0);
    if (!data.split) {
        const CsrMatrix& rows = positivesOnly ? data.positives : data.allRatings;
        for (int32_t u = 0; u < users; ++u) {
            if (u < rows.rows)
                for (int64_t k = rows.offsets[u]; k < rows.offsets[u + 1]; ++k) {
                    const int32_t item = rows.indices[static_cast<size_t>(k)];
                    out.items.push_back(item);
                    // Without a split there is no threshold to read: a stored rating counts when
                    // the positives matrix holds the item (its rows are sorted).
                    const auto* begin = data.positives.indices.data();
                    const bool liked =
                        positivesOnly ||
                        (u < data.positives.rows &&
                         std::binary_search(begin + data.positives.offsets[u],
                                            begin + data.positives.offsets[u + 1], item));
                    out.positive.push_back(liked ? 1 : 0);
                }
            out.offsets.push_back(static_cast<int64_t>(out.items.size()));
        }
        return out;
    }
    const Split& split = *data.split;
    const Interactions& train = split.train;
    // (user, timestamp, item, positive) for every kept row, then one stable sort: users
    // ascending, each in time, tied rows in the training part's own order.
    std::vector<std::tuple<int32_t, int64_t, int32_t, char>> rows;
    rows.reserve(train.size());
    for (size_t r = 0; r < train.size(); ++r) {
        const int32_t u = train.users[r];
        const int32_t i = train.items[r];
        if (u < 0 || u >= users || i < 0 || i >= data.numItems)
            continue;
        if (positivesOnly && !split.isPositive(train.ratings[r]))
            continue;
        rows.emplace_back(u, train.timestamps[r], i, split.isPositive(train.ratings[r]) ? 1 : 0);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    out.offsets.assign(static_cast<size_t>(users) + 1, 0);
    out.items.reserve(rows.size());
    out.positive.reserve(rows.size());
    for (const auto& [u, time, item, positive] : rows) {
        ++out.offsets[static_cast<size_t>(u) + 1];
        out.items.push_back(item);
        out.positive.push_back(positive);
    }
    for (int32_t u = 0; u < users; ++u)
        out.offsets[static_cast<size_t>(u) + 1] += out.offsets[static_cast<size_t>(u)];
    return out;
}

ItemSequences lastItems(const ItemSequences& sequences, int maxLen) {
    ItemSequences out;
    for (int32_t u = 0; u < sequences.users(); ++u) {
        const int64_t n = sequences.length(u);
        const int64_t keep = std::min<int64_t>(n, maxLen);
        out.items.insert(out.items.end(), sequences.begin(u) + (n - keep), sequences.begin(u) + n);
        out.offsets.push_back(static_cast<int64_t>(out.items.size()));
    }
    return out;
}

torch::Tensor paddedRows(const std::vector<std::vector<int64_t>>& rows, int64_t padding) {
    size_t width = 1;
    for (const auto& row : rows)
        width = std::max(width, row.size());
    auto out = torch::full({static_cast<int64_t>(rows.size()), static_cast<int64_t>(width)},
                           padding, torch::kLong);
    int64_t* p = out.data_ptr<int64_t>();
    for (size_t r = 0; r < rows.size(); ++r)
        std::copy(rows[r].begin(), rows[r].end(), p + (r + 1) * width - rows[r].size());
    return out;
}

SasRecTraining::SasRecTraining(SasRecNet net, const ItemSequences& sequences,
                               const ParamValues& params, SasRecLoss loss, torch::Device device,
                               uint64_t seed, std::function<void()> prepare)
    : m_net(std::move(net)),
      m_sequences(sequences),
      m_loss(loss),
      m_device(device),
      m_rng(seed ^ 0x5a5ecULL),
      m_prepare(std::move(prepare)),
      m_batch(params.getInt("batch_size")),
      m_negatives(params.getInt("negatives")) {
    if (params.values().count("horizon"))
        m_horizon = std::max<int64_t>(1, params.getInt("horizon"));
    if (params.values().count("targets"))
        m_positiveTargets =
            params.getString("targets") == "positives" && !sequences.positive.empty();
    if (params.values().count("mask_seen"))
        m_maskSeen = params.getBool("mask_seen");
    const int64_t maxLen = m_net->config().maxLen;
    const int32_t numItems = m_net->config().numItems;
    // Windows of at most max_len targets, cut from the newest end: every training interaction
    // but each user's first is a target exactly once per epoch.
    std::vector<double> counts(static_cast<size_t>(numItems), 0.0);
    for (int32_t u = 0; u < sequences.users(); ++u) {
        for (int64_t end = sequences.length(u) - 1; end >= 1;) {
            const int64_t length = std::min(maxLen, end);
            m_windows.push_back({u, end, length});
            end -= length;
        }
        for (int64_t k = 1; k < sequences.length(u); ++k)
            counts[static_cast<size_t>(sequences.begin(u)[k])] += 1.0;
    }
    for (double c : counts)
        m_targets += static_cast<int64_t>(c);
    if (m_loss == SasRecLoss::Sampled) {
        const double total = std::max(1.0, static_cast<double>(m_targets));
        std::vector<float> weights(counts.begin(), counts.end());
        std::vector<float> logQ(counts.size());
        for (size_t i = 0; i < counts.size(); ++i)
            logQ[i] = static_cast<float>(std::log(std::max(counts[i], 1.0) / total));
        m_sampling = torch::tensor(weights).to(device);
        m_logQ = torch::tensor(logQ).to(device);
    }
    m_opt = std::make_unique<torch::optim::Adam>(
        m_net->parameters(), torch::optim::AdamOptions(params.getFloat("lr"))
                                 .weight_decay(params.getFloat("weight_decay")));
}

int64_t SasRecTraining::beginEpoch(int) {
    std::shuffle(m_windows.begin(), m_windows.end(), m_rng);
    m_net->train();
    return std::max<int64_t>(1, (static_cast<int64_t>(m_windows.size()) + m_batch - 1) / m_batch);
}

double SasRecTraining::trainBatch(int64_t batch) {
    const int64_t first = batch * m_batch;
    const int64_t last = std::min<int64_t>(static_cast<int64_t>(m_windows.size()), first + m_batch);
    if (first >= last)
        return 0.0;
    const int64_t padding = m_net->padding();
    std::vector<std::vector<int64_t>> inputs;
    // targets[h - 1]: the item h steps after each input, padding past the user's sequence.
    std::vector<std::vector<std::vector<int64_t>>> targets(static_cast<size_t>(m_horizon));
    for (int64_t w = first; w < last; ++w) {
        const Window& win = m_windows[static_cast<size_t>(w)];
        const int32_t* seq = m_sequences.begin(win.user);
        const int64_t n = m_sequences.length(win.user);
        inputs.emplace_back(seq + win.end - win.length, seq + win.end);
        for (int64_t h = 1; h <= m_horizon; ++h) {
            std::vector<int64_t> row;
            const char* positive = m_positiveTargets
                                       ? m_sequences.positive.data() + m_sequences.offsets[win.user]
                                       : nullptr;
            for (int64_t j = win.end - win.length; j < win.end; ++j)
                row.push_back(j + h < n && (!positive || positive[j + h]) ? seq[j + h] : padding);
            targets[static_cast<size_t>(h - 1)].push_back(std::move(row));
        }
    }
    const auto x = paddedRows(inputs, padding).to(m_device);
    const auto hiddenAll = m_net->forward(x);
    // B x L x horizon: every target row has its window's length, as its input row does.
    std::vector<torch::Tensor> ahead;
    for (const auto& rows : targets)
        ahead.push_back(paddedRows(rows, padding));
    // Built on the CPU, where seenMask() reads which positions have a target.
    const auto yCpu = torch::stack(ahead, 2);
    const auto realCpu = yCpu.ne(padding);
    const auto rowsCpu = realCpu.any(2);
    const auto y = yCpu.to(m_device);
    const auto real = realCpu.to(m_device);
    const auto rows = rowsCpu.to(m_device);
    const int64_t terms = real.sum().item<int64_t>();
    if (terms == 0)
        return 0.0;  // no target in this batch (targets=positives and none liked)
    torch::Tensor loss;
    if (m_loss == SasRecLoss::Full) {
        // One softmax per position, whatever the horizon: its h-step terms differ only in
        // the item they pick from it. mask_seen: P x numItems, a row per position with a
        // target, in the order index({rows}) takes them.
        const auto seen =
            m_maskSeen ? seenMask(first, last, rowsCpu, {}).to(m_device) : torch::Tensor();
        // The product, the mask and the softmax's gradient fused (CatalogueSoftmax.h).
        loss = catalogueCrossEntropy(hiddenAll.index({rows}), m_net->itemTable(), y.index({rows}),
                                     real.index({rows}), seen);
    } else {
        for (int64_t h = 0; h < m_horizon; ++h) {
            const auto yh = y.select(2, h);
            const auto realH = real.select(2, h);
            const int64_t count = realH.sum().item<int64_t>();
            if (count == 0)
                continue;
            // mask_seen: the drawn negatives' mask, cut to this step's positions (realH
            // among rows).
            std::function<torch::Tensor(const torch::Tensor&)> seen;
            if (m_maskSeen)
                seen = [&](const torch::Tensor& negatives) {
                    return seenMask(first, last, rowsCpu, negatives)
                        .to(m_device)
                        .index({realH.index({rows})});
                };
            // A mean over the P positions with a target h + 1 steps ahead, back to a sum.
            const auto term = sampledLoss(hiddenAll.index({realH}), yh.index({realH}), seen) *
                              static_cast<double>(count);
            loss = loss.defined() ? loss + term : term;
        }
    }
    loss = loss / static_cast<double>(terms);
    m_opt->zero_grad();
    loss.backward();
    m_opt->step();
    return loss.item<double>();
}

torch::Tensor SasRecTraining::seenMask(int64_t first, int64_t last, const torch::Tensor& rows,
                                       const torch::Tensor& columns) const {
    const int64_t numItems = m_net->config().numItems;
    const int64_t width = rows.size(1);
    const auto hasTarget = rows.contiguous();
    const bool* target = hasTarget.data_ptr<bool>();
    torch::Tensor columnItems;
    if (columns.defined())
        columnItems = columns.to(torch::kCPU, torch::kLong).contiguous();
    const int64_t cols = columns.defined() ? columnItems.size(0) : numItems;
    const int64_t* columnItem = columns.defined() ? columnItems.data_ptr<int64_t>() : nullptr;
    auto mask = torch::empty({hasTarget.sum().item<int64_t>(), cols}, torch::kBool);
    bool* row = mask.data_ptr<bool>();
    std::vector<char> before(static_cast<size_t>(numItems));
    std::vector<int32_t> targets;
    for (int64_t w = first; w < last; ++w) {
        const Window& win = m_windows[static_cast<size_t>(w)];
        const int32_t* seq = m_sequences.begin(win.user);
        const int64_t n = m_sequences.length(win.user);
        const int64_t start = win.end - win.length;
        std::fill(before.begin(), before.end(), 0);
        for (int64_t k = 0; k < start; ++k)
            before[static_cast<size_t>(seq[k])] = 1;
        const bool* windowTargets = target + (w - first) * width + (width - win.length);
        for (int64_t j = start; j < win.end; ++j) {
            before[static_cast<size_t>(seq[j])] = 1;
            if (!windowTargets[j - start])
                continue;
            // An item the user rates again is still a target, never a masked competitor.
            targets.clear();
            for (int64_t h = 1; h <= m_horizon && j + h < n; ++h)
                targets.push_back(seq[j + h]);
            if (!columnItem) {
                std::transform(before.begin(), before.end(), row, [](char b) { return b != 0; });
                for (int32_t t : targets)
                    row[t] = false;
            } else {
                for (int64_t c = 0; c < cols; ++c)
                    row[c] =
                        before[static_cast<size_t>(columnItem[c])] != 0 &&
                        std::find(targets.begin(), targets.end(), columnItem[c]) == targets.end();
            }
            row += cols;
        }
    }
    return mask;
}

torch::Tensor SasRecTraining::sampledLoss(
    const torch::Tensor& hidden, const torch::Tensor& targets,
    const std::function<torch::Tensor(const torch::Tensor&)>& seen) {
    const auto table = m_net->itemTable();
    const auto negatives = torch::multinomial(m_sampling, m_negatives, /*replacement=*/true);
    const auto positive =
        (hidden * table.index_select(0, targets)).sum(1) - m_logQ.index_select(0, targets);
    auto negative = torch::matmul(hidden, table.index_select(0, negatives).t()) -
                    m_logQ.index_select(0, negatives).unsqueeze(0);
    // A drawn copy of the target is not a negative (TensorFlow's remove_accidental_hits).
    auto accidental = negatives.unsqueeze(0).eq(targets.unsqueeze(1));
    if (seen)
        accidental = accidental.logical_or(seen(negatives));
    negative = negative.masked_fill(accidental, -std::numeric_limits<float>::infinity());
    const auto all = torch::cat({positive.unsqueeze(1), negative}, 1);
    return (torch::logsumexp(all, 1) - positive).mean();
}

void SasRecTraining::snapshot() {
    torch::NoGradGuard noGrad;
    m_best.clear();
    for (const auto& p : m_net->parameters())
        m_best.push_back(p.detach().clone());
}

void SasRecTraining::restoreSnapshot() {
    torch::NoGradGuard noGrad;
    auto params = m_net->parameters();
    for (size_t i = 0; i < params.size() && i < m_best.size(); ++i)
        params[i].copy_(m_best[i]);
}

void SasRecTraining::prepareScoring() {
    m_net->eval();
    if (m_prepare)
        m_prepare();
}

}  // namespace recscope
