#include "core/inspect/TasteRecovery.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/models/Recommender.h"

namespace recscope {

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
    const size_t n = std::min(x.size(), y.size());
    const auto constant = [n](const std::vector<double>& v) {
        return std::all_of(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n),
                           [&v](double a) { return a == v.front(); });
    };
    // Exactly constant series first: their rounding noise must not pass for a correlation.
    if (n < 2 || constant(x) || constant(y))
        return std::numeric_limits<double>::quiet_NaN();
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; ++i) {
        mx += x[i];
        my += y[i];
    }
    mx /= double(n);
    my /= double(n);
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx <= 0 || syy <= 0)
        return std::numeric_limits<double>::quiet_NaN();
    return sxy / std::sqrt(sxx * syy);
}

Result<TasteRecovery> measureTasteRecovery(const Recommender& model,
                                           const std::vector<std::vector<double>>& tastes,
                                           const std::vector<uint32_t>& genreMasks,
                                           const std::vector<std::string>& genreNames,
                                           const std::vector<char>& candidate,
                                           const CancelToken* cancel) {
    const int32_t items = model.numItems();
    const size_t genres = genreNames.size();
    if (genreMasks.size() != size_t(items) || candidate.size() != size_t(items))
        return makeError("taste recovery: the item data do not match the model's " +
                         std::to_string(items) + " items");
    for (const auto& t : tastes)
        if (t.size() != genres)
            return makeError("taste recovery: every user needs a taste for each of the " +
                             std::to_string(genres) + " genres");
    const auto users = static_cast<int32_t>(tastes.size());
    std::vector<int64_t> perGenre(genres, 0);
    int64_t candidates = 0;
    for (int32_t i = 0; i < items; ++i) {
        if (!candidate[size_t(i)])
            continue;
        ++candidates;
        for (size_t g = 0; g < genres; ++g)
            perGenre[g] += (genreMasks[size_t(i)] >> g) & 1u;
    }
    if (candidates == 0)
        return makeError("taste recovery: no candidate items");

    // favour[g][u]: mean score on genre g's items minus mean score on all candidates.
    std::vector<std::vector<double>> favour(genres, std::vector<double>(size_t(users), 0.0));
    constexpr int32_t kBatch = 256;
    std::vector<float> scores;
    std::vector<int32_t> batch;
    for (int32_t first = 0; first < users; first += kBatch) {
        if (isCancelled(cancel))
            return cancelledError();
        const int32_t n = std::min(kBatch, users - first);
        batch.resize(size_t(n));
        for (int32_t k = 0; k < n; ++k)
            batch[size_t(k)] = first + k;
        scores.assign(size_t(n) * size_t(items), 0.0f);
        model.scoreUsers(batch.data(), n, scores.data());
        for (int32_t k = 0; k < n; ++k) {
            const float* row = scores.data() + size_t(k) * size_t(items);
            double all = 0;
            std::vector<double> sums(genres, 0.0);
            for (int32_t i = 0; i < items; ++i) {
                if (!candidate[size_t(i)])
                    continue;
                all += row[i];
                for (size_t g = 0; g < genres; ++g)
                    if ((genreMasks[size_t(i)] >> g) & 1u)
                        sums[g] += row[i];
            }
            const double mean = all / double(candidates);
            for (size_t g = 0; g < genres; ++g)
                favour[g][size_t(first + k)] =
                    perGenre[g] > 0 ? sums[g] / double(perGenre[g]) - mean : 0.0;
        }
    }

    TasteRecovery out;
    out.users = users;
    int finite = 0;
    for (size_t g = 0; g < genres; ++g) {
        GenreTasteRecovery r;
        r.genre = genreNames[g];
        r.items = perGenre[g];
        std::vector<double> truth(static_cast<size_t>(users));
        for (int32_t u = 0; u < users; ++u) {
            truth[size_t(u)] = tastes[size_t(u)][g];
            r.favouredBy += tastes[size_t(u)][g] > 1.0 / double(genres) ? 1 : 0;
        }
        r.correlation = pearson(truth, favour[g]);
        if (std::isfinite(r.correlation)) {
            out.meanCorrelation += r.correlation;
            ++finite;
        }
        out.genres.push_back(std::move(r));
    }
    out.meanCorrelation =
        finite > 0 ? out.meanCorrelation / finite : std::numeric_limits<double>::quiet_NaN();
    return out;
}

}  // namespace recscope
