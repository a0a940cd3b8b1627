#pragma once
// Did the model learn the users? On data whose users have known genre tastes (the synthetic
// generator's, SyntheticGenerator.h), for each genre: the correlation over users between the
// true taste for the genre and how much the model favours the genre for that user — the user's
// mean score over the genre's items minus the user's mean score over all items (so a model's
// per-user offset does not count). 1: the model ranks the genre exactly as much higher as the
// user likes it; 0: no relation.

#include <cstdint>
#include <string>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"

namespace recscope {

class Recommender;

struct GenreTasteRecovery {
    std::string genre;
    int64_t items = 0;         // candidate items of the genre
    int64_t favouredBy = 0;    // users whose taste for it is above the even share
    double correlation = 0.0;  // Pearson over users; NaN when either side is constant
};

struct TasteRecovery {
    std::vector<GenreTasteRecovery> genres;  // in genre order
    int64_t users = 0;
    double meanCorrelation = 0.0;  // over genres with a finite correlation
};

// tastes[u][g]: the true taste of dense user u for genre g (users = model users, genres =
// genreNames). candidate[i] != 0: item i counts (e.g. it has a training rating; items the model
// never saw carry no signal). Scores come from model.scoreUsers in batches. Errors: shapes that
// do not match, cancellation.
Result<TasteRecovery> measureTasteRecovery(const Recommender& model,
                                           const std::vector<std::vector<double>>& tastes,
                                           const std::vector<uint32_t>& genreMasks,
                                           const std::vector<std::string>& genreNames,
                                           const std::vector<char>& candidate,
                                           const CancelToken* cancel = nullptr);

// Pearson correlation of two equal-length series; NaN when either has zero variance.
double pearson(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace recscope
