// Fold-in (Recommender::scoreHistory, the what-if user) on ML-100K: for each model, fitted on
// the default temporal split's training part, folds in the training rows of a sample of test
// users and prints the milliseconds per call (mean and max) and how well the folded-in user
// ranks next to the trained one: Recall@10 / NDCG@10 on the test part (training items
// removed) for scoreHistory() and for scoreUsers() on the same users, and the mean overlap of
// the two top-10 lists.
//
// Usage: bench_foldin [--threads N] [--models a,b,...] [--users N] [--data PATH] [--quick]
//   --quick trains the epoch models for a few epochs only (timings stay representative, the
//   quality columns do not). Default data: $RECSCOPE_SHARED_DATA/ml-100k.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/common/Allocator.h"
#include "core/data/DatasetLoader.h"
#include "core/models/Compute.h"
#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/nn/TorchModels.h"
#include "core/split/Split.h"

using namespace recscope;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

std::vector<std::string> splitList(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ','))
        if (!part.empty())
            out.push_back(part);
    return out;
}

std::map<std::string, std::string> quickParams(const std::string& name) {
    if (name == "bpr" || name == "mf")
        return {{"epochs", "5"}};
    if (name == "neuralmf" || name == "neumf")
        return {{"epochs", "2"}, {"refit", "false"}};
    if (name == "twotower")
        return {{"epochs", "1"}};
    if (name == "pipeline")
        return {{"retriever.epochs", "1"}, {"ranker.epochs", "1"}};
    return {};
}

std::vector<int32_t> topTen(const std::vector<float>& s, const std::set<int32_t>& skip) {
    std::vector<int32_t> order;
    for (int32_t i = 0; i < int32_t(s.size()); ++i)
        if (!skip.count(i))
            order.push_back(i);
    const size_t take = std::min<size_t>(10, order.size());
    std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(take), order.end(),
                      [&](int32_t a, int32_t b) { return s[a] > s[b] || (s[a] == s[b] && a < b); });
    order.resize(take);
    return order;
}

// Recall@10 and NDCG@10 of one list against a set of relevant items.
std::pair<double, double> quality(const std::vector<int32_t>& list,
                                  const std::set<int32_t>& relevant) {
    double hits = 0, dcg = 0, idcg = 0;
    for (size_t k = 0; k < list.size(); ++k)
        if (relevant.count(list[k])) {
            hits += 1;
            dcg += 1.0 / std::log2(double(k) + 2.0);
        }
    for (size_t k = 0; k < std::min<size_t>(10, relevant.size()); ++k)
        idcg += 1.0 / std::log2(double(k) + 2.0);
    return {hits / double(std::min<size_t>(10, relevant.size())), idcg > 0 ? dcg / idcg : 0.0};
}

}  // namespace

int main(int argc, char** argv) {
    recscope::tuneAllocatorForTraining();
    recscope::registerTorchModels();
    int threads = 0;
    int sample = 100;
    bool quick = false;
    std::string path = std::string(RECSCOPE_SHARED_DATA) + "/ml-100k";
    std::vector<std::string> models = modelNames();
    for (int i = 1; i < argc; ++i) {
        const bool hasValue = i + 1 < argc;
        if (!std::strcmp(argv[i], "--quick"))
            quick = true;
        else if (!std::strcmp(argv[i], "--threads") && hasValue)
            threads = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--models") && hasValue)
            models = splitList(argv[++i]);
        else if (!std::strcmp(argv[i], "--users") && hasValue)
            sample = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--data") && hasValue)
            path = argv[++i];
        else {
            std::fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    setComputeThreads(threads);
    auto ds = loadDataset(path, LoadOptions{});
    if (!ds) {
        std::fprintf(stderr, "%s\n", ds.error().toString().c_str());
        return 1;
    }
    auto split = makeSplit(ds.value(), defaultSplitConfig(Protocol::Temporal));
    if (!split) {
        std::fprintf(stderr, "%s\n", split.error().toString().c_str());
        return 1;
    }
    const TrainData data = TrainData::build(split.value(), &ds.value());
    // Test positives per user; the sample: every k-th user that has some.
    std::map<int32_t, std::set<int32_t>> relevant;
    const Interactions& test = split->test;
    for (size_t r = 0; r < test.size(); ++r)
        if (split->isPositive(test.ratings[r]))
            relevant[test.users[r]].insert(test.items[r]);
    std::vector<int32_t> users;
    const size_t stride = std::max<size_t>(1, relevant.size() / size_t(std::max(1, sample)));
    size_t k = 0;
    for (const auto& [u, items] : relevant)
        if (k++ % stride == 0 && int(users.size()) < sample)
            users.push_back(u);
    std::printf("data: %s (temporal split, training part), %zu users folded in, threads %d%s\n\n",
                path.c_str(), users.size(), computeThreads(), quick ? ", --quick" : "");
    std::printf("%-9s %7s %8s %8s | %8s %8s | %8s %8s | %7s\n", "model", "fit_s", "ms/call",
                "max_ms", "foldR@10", "foldN@10", "userR@10", "userN@10", "overlap");

    for (const std::string& name : models) {
        auto model = createModel(name);
        if (!model ||
            !model->configure(quick ? quickParams(name) : std::map<std::string, std::string>{})) {
            std::printf("%-9s cannot configure\n", name.c_str());
            continue;
        }
        FitContext context;
        const auto t0 = Clock::now();
        if (Status s = model->fit(data, context); !s) {
            std::printf("%-9s fit failed: %s\n", name.c_str(), s.error().message.c_str());
            continue;
        }
        const double fitSeconds = since(t0);
        if (!model->canFoldIn()) {
            std::vector<float> out(size_t(model->numItems()));
            const Status s = model->scoreHistory({}, out.data());
            std::printf("%-9s %7.1f  no fold-in: %s\n", name.c_str(), fitSeconds,
                        s ? "?" : s.error().message.c_str());
            continue;
        }
        double totalMs = 0, maxMs = 0, foldR = 0, foldN = 0, userR = 0, userN = 0, overlap = 0;
        std::vector<float> folded(size_t(model->numItems())), trained(folded.size());
        for (int32_t u : users) {
            std::vector<HistoryEntry> history;
            std::set<int32_t> rated;
            for (int64_t p = data.allRatings.offsets[u]; p < data.allRatings.offsets[u + 1]; ++p) {
                const float r = data.allRatings.values[size_t(p)];
                history.push_back({data.allRatings.indices[size_t(p)], r, split->isPositive(r)});
                rated.insert(data.allRatings.indices[size_t(p)]);
            }
            const auto t1 = Clock::now();
            const Status s = model->scoreHistory(history, folded.data());
            const double ms = 1000.0 * since(t1);
            if (!s) {
                std::printf("%-9s fold-in failed: %s\n", name.c_str(), s.error().message.c_str());
                break;
            }
            totalMs += ms;
            maxMs = std::max(maxMs, ms);
            model->scoreUsers(&u, 1, trained.data());
            const auto a = topTen(folded, rated);
            const auto b = topTen(trained, rated);
            const auto qa = quality(a, relevant[u]);
            const auto qb = quality(b, relevant[u]);
            foldR += qa.first;
            foldN += qa.second;
            userR += qb.first;
            userN += qb.second;
            for (int32_t i : a)
                overlap += std::count(b.begin(), b.end(), i) > 0 ? 1.0 : 0.0;
        }
        const double n = double(users.size());
        std::printf("%-9s %7.1f %8.2f %8.2f | %8.4f %8.4f | %8.4f %8.4f | %7.2f\n", name.c_str(),
                    fitSeconds, totalMs / n, maxMs, foldR / n, foldN / n, userR / n, userN / n,
                    overlap / n);
        std::fflush(stdout);
    }
    return 0;
}
