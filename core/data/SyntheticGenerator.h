#pragma once
// Deterministic synthetic MovieLens-like data: users with genre tastes, a long tail of item
// popularity, time-ordered ratings, titles with years and genres. Same config -> same bytes.

#include <cstdint>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/data/Dataset.h"

namespace recscope {

struct SyntheticConfig {
    uint64_t seed = 20240601;
    int32_t users = 943;
    int32_t items = 1682;
    int64_t ratings = 100000;  // at most users * items; exact count produced
    bool halfStars = false;    // 0.5..5 in half steps (10M/20M style) instead of 1..5
    bool userMetadata = true;  // age/gender/occupation/zip as in 100K/1M
};

Result<Dataset> generateSynthetic(const SyntheticConfig& config, const ProgressFn& progress = {},
                                  const CancelToken* cancel = nullptr);

// The 1-3 favourite genres the generator gives each user (bit g = genreNames()[g] of the
// generated dataset), indexed by dense user id. Users rate items of these genres more often
// and higher; tests use it to check that the data rewards personalisation.
std::vector<uint32_t> syntheticFavouriteGenres(const SyntheticConfig& config);

// Each user's hidden taste as the generator uses it: a weight per genre (same order as the
// generated dataset's genreNames(), summing to 1), 85% spread over the 1-3 favourites by their
// drawn strengths and 15% evenly over all genres. Indexed by dense user id.
std::vector<std::vector<double>> syntheticUserTastes(const SyntheticConfig& config);

// The config of a dataset this generator made ("synthetic:<seed>" source, its user and item
// counts); false for any other dataset. Tastes depend only on the seed and the user count, so
// syntheticUserTastes(config) holds for it.
bool syntheticConfigOf(const Dataset& data, SyntheticConfig* config);

// The built-in demo: ML-100K-sized (943 users, 1,682 items, 100,000 ratings), fixed seed.
Dataset demoDataset();

}  // namespace recscope
