#include "core/data/SyntheticGenerator.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <iterator>
#include <thread>
#include <vector>

#include "core/data/AliasTable.h"
#include "core/data/DatasetBuilder.h"
#include "core/data/DeterministicRng.h"
#include "core/data/SyntheticTitles.h"

// Same config -> same bytes also relies on no fused multiply-add contraction (GCC does not
// contract in ISO C++ mode; Clang does unless told not to).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

namespace recscope {

namespace {

constexpr int kNumGenres = 18;
const std::array<const char*, kNumGenres> kGenres = {
    "Action",      "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama",     "Fantasy",   "Film-Noir",  "Horror", "Musical",
    "Mystery",     "Romance",   "Sci-Fi",    "Thriller",   "War",    "Western"};
// Rough share of each genre among ML-100K genre labels; drives item genres and user tastes.
const std::array<double, kNumGenres> kGenreWeight = {0.10, 0.05, 0.02, 0.04, 0.18, 0.04,
                                                     0.03, 0.25, 0.01, 0.01, 0.04, 0.02,
                                                     0.02, 0.06, 0.03, 0.06, 0.02, 0.02};

// How a user's picks are drawn: by popularity alone, by favourite genre, or from the user's
// niches (clusters of items inside a genre, like "70s space operas"). Niches give items
// co-rating structure finer than genres, which collaborative models can learn and popularity
// cannot.
constexpr double kGlobalShare = 0.10;
constexpr double kNicheShare = 0.6;
constexpr int32_t kItemsPerNiche = 30;
// Popularity of the item at popularity rank r is ~ 1 / (r + offset): Zipf with exponent 1 (times
// a factor thinning the far tail, see makeItems). The offset flattens the head so that the top
// items do not saturate (each user rates an item at most once).
constexpr double kZipfOffsetFraction = 0.004;
constexpr int kMinRatingsPerUser = 20;  // as in ML-100K, when the budget allows
// Ratings span 2021-01-01 .. 2025-01-01 UTC, after every generated release year (<= 2020).
constexpr int64_t kFirstTimestamp = 1609459200;
constexpr int64_t kLastTimestamp = 1735689600;

// Natural logarithm by frexp + atanh series: arithmetic only, so it gives the same bits on
// every platform (std::log may differ in the last ulp between C libraries).
double portableLog(double x) {
    int e = 0;
    double m = std::frexp(x, &e);  // exact: x = m * 2^e, m in [0.5, 1)
    if (m < 0.70710678118654752) {
        m *= 2.0;
        --e;
    }
    const double t = (m - 1.0) / (m + 1.0);  // |t| <= 0.172
    const double t2 = t * t;
    double term = t;
    double sum = 0.0;
    for (int k = 1; k <= 29; k += 2) {
        sum += term / k;
        term *= t2;
    }
    return 2.0 * sum + e * 0.69314718055994531;
}

struct ItemModel {
    std::vector<double> popularity;  // relative pick weight, Zipf-like
    std::vector<double> quality;     // rating offset in stars
    std::vector<uint32_t> genreMasks;
    std::vector<uint8_t> genreCounts;            // 1..3
    std::vector<int32_t> niche;                  // niche of each item
    AliasTable global;                           // by popularity
    std::array<AliasTable, kNumGenres> byGenre;  // popularity / genre count, items of genre g
    std::array<double, kNumGenres> genreMass{};  // sum of the weights in byGenre[g]
    std::vector<AliasTable> byNiche;             // popularity, items of niche k
    std::vector<double> nicheMass;
    std::array<std::vector<int32_t>, kNumGenres> nichesOfGenre;  // by the niche's main genre
    double totalPopularity = 0.0;
};

size_t lowestBit(uint32_t mask) {
#if defined(__GNUC__)
    return static_cast<size_t>(__builtin_ctz(mask));
#else
    size_t b = 0;
    while (!(mask & 1u)) {
        mask >>= 1;
        ++b;
    }
    return b;
#endif
}

int sampleGenre(DeterministicRng& rng, uint32_t excludeMask) {
    double total = 0.0;
    for (int g = 0; g < kNumGenres; ++g)
        if (!(excludeMask & (1u << g)))
            total += kGenreWeight[static_cast<size_t>(g)];
    double x = rng.uniform() * total;
    int last = 0;
    for (int g = 0; g < kNumGenres; ++g) {
        if (excludeMask & (1u << g))
            continue;
        last = g;
        x -= kGenreWeight[static_cast<size_t>(g)];
        if (x < 0.0)
            return g;
    }
    return last;
}

// A user's 1-3 favourite genres (the first draws of the user's stream) with weights in fav;
// returns their mask.
uint32_t drawFavourites(DeterministicRng& rng, std::array<double, kNumGenres>& fav) {
    const double c = rng.uniform();
    const int favourites = c < 0.3 ? 1 : (c < 0.7 ? 2 : 3);
    uint32_t mask = 0;
    for (int k = 0; k < favourites; ++k) {
        const int g = sampleGenre(rng, mask);
        mask |= 1u << g;
        fav[static_cast<size_t>(g)] = 0.6 + 0.8 * rng.uniform();
    }
    return mask;
}

// 85% of the taste on the favourite genres (by their strengths), the rest spread thinly.
std::array<double, kNumGenres> tasteOf(const std::array<double, kNumGenres>& fav) {
    double favTotal = 0.0;
    for (double f : fav)
        favTotal += f;
    std::array<double, kNumGenres> taste{};
    for (size_t g = 0; g < kNumGenres; ++g)
        taste[g] = 0.85 * fav[g] / favTotal + 0.15 / kNumGenres;
    return taste;
}

uint64_t userStreamSeed(const SyntheticConfig& config, int32_t user) {
    return mixSeed(config.seed, 1000003ULL + static_cast<uint64_t>(user));
}

ItemModel makeItems(const SyntheticConfig& config, DatasetBuilder& builder) {
    const int32_t n = config.items;
    DeterministicRng rng(mixSeed(config.seed, 1));
    ItemModel m;
    m.popularity.resize(static_cast<size_t>(n));
    m.quality.resize(static_cast<size_t>(n));
    m.genreMasks.resize(static_cast<size_t>(n));
    m.genreCounts.resize(static_cast<size_t>(n));

    // Popularity ranks are a random permutation so that ids carry no popularity order.
    std::vector<int32_t> rank(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i)
        rank[static_cast<size_t>(i)] = i;
    for (int32_t i = n - 1; i > 0; --i)
        std::swap(rank[static_cast<size_t>(i)], rank[rng.below(static_cast<uint64_t>(i) + 1)]);

    // Niches: at least one per genre, the rest spread by genre share.
    const int32_t niches = std::max<int32_t>(kNumGenres, n / kItemsPerNiche);
    std::vector<int> nicheGenre(static_cast<size_t>(niches));
    for (int32_t k = 0; k < niches; ++k) {
        nicheGenre[static_cast<size_t>(k)] = k < kNumGenres ? k : sampleGenre(rng, 0);
        m.nichesOfGenre[static_cast<size_t>(nicheGenre[static_cast<size_t>(k)])].push_back(k);
    }
    m.niche.resize(static_cast<size_t>(n));

    const double offset = 1.0 + kZipfOffsetFraction * n;
    for (int32_t i = 0; i < n; ++i) {
        const size_t s = static_cast<size_t>(i);
        const double r = rank[s];
        // Zipf head; the squared factor thins the far tail as in MovieLens, where the bottom
        // half of the catalogue gets under a tenth of the ratings.
        const double tail = 1.0 - 0.95 * r / n;
        m.popularity[s] = (0.8 + 0.4 * rng.uniform()) * tail * tail / (r + offset);
        // Popular items are rated a little higher, as in MovieLens.
        m.quality[s] = 0.35 * rng.normal() + 0.3 * (1.0 - r / n) - 0.15;

        const int32_t k = static_cast<int32_t>(rng.below(static_cast<uint64_t>(niches)));
        m.niche[s] = k;
        const double c = rng.uniform();
        const int count = c < 0.45 ? 1 : (c < 0.80 ? 2 : 3);
        uint32_t mask = 1u << nicheGenre[static_cast<size_t>(k)];
        for (int extra = 1; extra < count; ++extra)
            mask |= 1u << sampleGenre(rng, mask);
        m.genreMasks[s] = mask;
        m.genreCounts[s] = static_cast<uint8_t>(count);

        // Release years lean recent, as in MovieLens: 2020 - 100 * u^2.
        const double y = rng.uniform();
        const int year = 2020 - static_cast<int>(100.0 * y * y);
        builder.addItem(i + 1, makeSyntheticTitle(rng, year), mask);
    }

    std::vector<int32_t> all(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i)
        all[static_cast<size_t>(i)] = i;
    m.global.build(m.popularity, all);
    for (double p : m.popularity)
        m.totalPopularity += p;
    for (int g = 0; g < kNumGenres; ++g) {
        std::vector<double> w;
        std::vector<int32_t> values;
        for (int32_t i = 0; i < n; ++i) {
            const size_t s = static_cast<size_t>(i);
            if (m.genreMasks[s] & (1u << g)) {
                w.push_back(m.popularity[s] / m.genreCounts[s]);
                values.push_back(i);
            }
        }
        double mass = 0.0;
        for (double x : w)
            mass += x;
        m.genreMass[static_cast<size_t>(g)] = mass;
        m.byGenre[static_cast<size_t>(g)].build(w, std::move(values));
    }
    std::vector<std::vector<double>> nicheWeights(static_cast<size_t>(niches));
    std::vector<std::vector<int32_t>> nicheItems(static_cast<size_t>(niches));
    for (int32_t i = 0; i < n; ++i) {
        const size_t k = static_cast<size_t>(m.niche[static_cast<size_t>(i)]);
        nicheWeights[k].push_back(m.popularity[static_cast<size_t>(i)]);
        nicheItems[k].push_back(i);
    }
    m.byNiche.resize(static_cast<size_t>(niches));
    m.nicheMass.assign(static_cast<size_t>(niches), 0.0);
    for (size_t k = 0; k < static_cast<size_t>(niches); ++k) {
        for (double x : nicheWeights[k])
            m.nicheMass[k] += x;
        m.byNiche[k].build(nicheWeights[k], std::move(nicheItems[k]));
    }
    return m;
}

const char* const kOccupations[] = {
    "administrator", "artist",     "doctor",     "educator", "engineer",  "entertainment",
    "executive",     "healthcare", "homemaker",  "lawyer",   "librarian", "marketing",
    "none",          "other",      "programmer", "retired",  "salesman",  "scientist",
    "student",       "technician", "writer"};

void addUserMetadata(const SyntheticConfig& config, DatasetBuilder& builder) {
    DeterministicRng rng(mixSeed(config.seed, 3));
    for (int32_t u = 0; u < config.users; ++u) {
        // Ages 7..73 leaning young, as in ML-100K.
        const double a = rng.uniform();
        const int16_t age =
            static_cast<int16_t>(7 + static_cast<int>(66.0 * a * a * 0.6 + 66.0 * a * 0.4));
        const char gender = rng.uniform() < 0.71 ? 'M' : 'F';
        const char* occupation = age < 23 && rng.uniform() < 0.6
                                     ? "student"
                                     : kOccupations[rng.below(std::size(kOccupations))];
        std::string zip = std::to_string(10000 + rng.below(90000));
        builder.addUser(u + 1, age, gender, occupation, std::move(zip));
    }
}

// Ratings per user: min(20, ...) each, the rest spread by a heavy-tailed activity weight
// (1 / (0.05 + U) - 0.9: max/mean ~ 9 as in ML-100K), capped at the catalogue size; exact total.
std::vector<int64_t> allocateCounts(const SyntheticConfig& config) {
    const int64_t users = config.users;
    const int64_t items = config.items;
    int64_t base = std::min<int64_t>({kMinRatingsPerUser, items, config.ratings / users});
    std::vector<int64_t> counts(static_cast<size_t>(users), base);
    std::vector<double> weight(static_cast<size_t>(users));
    DeterministicRng rng(mixSeed(config.seed, 2));
    for (double& w : weight)
        w = 1.0 / (0.05 + rng.uniform()) - 0.9;

    int64_t left = config.ratings - base * users;
    std::vector<size_t> active;
    for (size_t u = 0; u < counts.size(); ++u)
        if (counts[u] < items)
            active.push_back(u);
    while (left > 0 && !active.empty()) {
        double total = 0.0;
        for (size_t u : active)
            total += weight[u];
        int64_t given = 0;
        const int64_t pool = left;
        for (size_t u : active) {
            const int64_t want = static_cast<int64_t>(std::floor(pool * (weight[u] / total)));
            const int64_t add = std::min({want, items - counts[u], left});
            counts[u] += add;
            left -= add;
            given += add;
        }
        if (given == 0) {
            // Remainders smaller than one rating each: hand them out one by one.
            for (size_t u : active) {
                if (left == 0)
                    break;
                if (counts[u] < items) {
                    ++counts[u];
                    --left;
                }
            }
        }
        active.erase(std::remove_if(active.begin(), active.end(),
                                    [&](size_t u) { return counts[u] >= items; }),
                     active.end());
    }
    return counts;
}

struct UserOutput {
    int64_t* users;
    int64_t* items;
    uint8_t* halfStars;
    int64_t* timestamps;
};

// Everything about one user comes from its own stream, so output is independent of threads.
class UserSampler {
public:
    UserSampler(const SyntheticConfig& config, const ItemModel& model)
        : m_config(config), m_model(model), m_marked(static_cast<size_t>(config.items), 0) {}

    void generate(int32_t user, int64_t count, const UserOutput& out) {
        DeterministicRng rng(userStreamSeed(m_config, user));
        makeTaste(rng);
        pickItems(rng, count);
        // Shuffle so that the time order carries no trace of the sampling order.
        for (size_t i = m_chosen.size(); i > 1; --i)
            std::swap(m_chosen[i - 1], m_chosen[rng.below(i)]);

        const double userBias = 0.3 * rng.normal();
        const int64_t span = kLastTimestamp - kFirstTimestamp;
        const int64_t start = kFirstTimestamp + static_cast<int64_t>(rng.uniform() * 0.85 *
                                                                     static_cast<double>(span));
        int64_t duration;
        if (rng.uniform() < 0.35) {
            duration = count * (30 + static_cast<int64_t>(rng.below(240)));  // one session
        } else {
            const double d = rng.uniform();
            duration =
                static_cast<int64_t>(d * d * d * static_cast<double>(kLastTimestamp - start));
        }
        duration = std::max<int64_t>(0, std::min(duration, kLastTimestamp - start - count));

        m_gaps.resize(static_cast<size_t>(count));
        double cumulative = 0.0;
        for (double& g : m_gaps) {
            cumulative += 0.05 + rng.uniform();
            g = cumulative;
        }
        for (int64_t j = 0; j < count; ++j) {
            const size_t s = static_cast<size_t>(j);
            const int32_t item = m_chosen[s];
            const size_t is = static_cast<size_t>(item);
            out.users[j] = user + 1;
            out.items[j] = item + 1;
            // + j keeps timestamps strictly increasing within a user.
            out.timestamps[j] =
                start + j +
                static_cast<int64_t>(m_gaps[s] / cumulative * static_cast<double>(duration));
            const double affinity = match(item) / m_maxTaste + (inNiche(item) ? 0.3 : 0.0);
            const double score =
                3.52 + m_model.quality[is] + userBias + 1.5 * (affinity - 0.5) + 0.9 * rng.normal();
            out.halfStars[j] = toHalfStars(score);
        }
        for (int32_t item : m_chosen)
            m_marked[static_cast<size_t>(item)] = 0;
        m_chosen.clear();
    }

private:
    void makeTaste(DeterministicRng& rng) {
        std::array<double, kNumGenres> fav{};
        const uint32_t favMask = drawFavourites(rng, fav);
        m_taste = tasteOf(fav);
        m_maxTaste = *std::max_element(m_taste.begin(), m_taste.end());
        // One or two niches of each favourite genre.
        m_niches.clear();
        for (size_t g = 0; g < kNumGenres; ++g) {
            const std::vector<int32_t>& list = m_model.nichesOfGenre[g];
            if (!(favMask & (1u << g)) || list.empty())
                continue;
            const int want = rng.uniform() < 0.5 ? 1 : 2;
            for (int k = 0; k < want; ++k) {
                const int32_t niche = list[rng.below(list.size())];
                if (m_model.nicheMass[static_cast<size_t>(niche)] > 0.0 &&
                    std::find(m_niches.begin(), m_niches.end(), niche) == m_niches.end())
                    m_niches.push_back(niche);
            }
        }
        m_nicheShare = m_niches.empty() ? 0.0 : kNicheShare;
        m_genreShare = 1.0 - kGlobalShare - m_nicheShare;

        // Mixture: popularity alone; genre g with probability ~ taste[g] * mass of g; one of
        // the user's niches with probability ~ its mass. Item within a component ~ popularity.
        m_genreTotal = 0.0;
        for (size_t g = 0; g < kNumGenres; ++g)
            m_genreTotal += m_taste[g] * m_model.genreMass[g];
        double cumulative = kGlobalShare;
        for (size_t g = 0; g < kNumGenres; ++g) {
            cumulative += m_genreShare * m_taste[g] * m_model.genreMass[g] / m_genreTotal;
            m_genreCdf[g] = cumulative;
        }
        m_nicheTotal = 0.0;
        for (int32_t k : m_niches)
            m_nicheTotal += m_model.nicheMass[static_cast<size_t>(k)];
        m_nicheCdf.clear();
        cumulative = kGlobalShare + m_genreShare;
        for (int32_t k : m_niches) {
            cumulative += m_nicheShare * m_model.nicheMass[static_cast<size_t>(k)] / m_nicheTotal;
            m_nicheCdf.push_back(cumulative);
        }
    }

    double match(int32_t item) const {
        const size_t s = static_cast<size_t>(item);
        double sum = 0.0;
        for (uint32_t mask = m_model.genreMasks[s]; mask; mask &= mask - 1)
            sum += m_taste[lowestBit(mask)];
        return sum / m_model.genreCounts[s];
    }

    bool inNiche(int32_t item) const {
        const int32_t k = m_model.niche[static_cast<size_t>(item)];
        return std::find(m_niches.begin(), m_niches.end(), k) != m_niches.end();
    }

    // Proportional to the probability that one draw() returns the item.
    double pickWeight(int32_t item) const {
        const double pop = m_model.popularity[static_cast<size_t>(item)];
        double w =
            kGlobalShare / m_model.totalPopularity + m_genreShare * match(item) / m_genreTotal;
        if (m_nicheShare > 0.0 && inNiche(item))
            w += m_nicheShare / m_nicheTotal;
        return pop * w;
    }

    int32_t draw(DeterministicRng& rng) const {
        const double x = rng.uniform();
        if (x < kGlobalShare)
            return m_model.global.sample(rng);
        if (x < kGlobalShare + m_genreShare) {
            for (size_t g = 0; g < kNumGenres; ++g)
                if (x < m_genreCdf[g] && !m_model.byGenre[g].empty())
                    return m_model.byGenre[g].sample(rng);
            return m_model.global.sample(rng);
        }
        for (size_t j = 0; j < m_niches.size(); ++j)
            if (x < m_nicheCdf[j])
                return m_model.byNiche[static_cast<size_t>(m_niches[j])].sample(rng);
        return m_model.byNiche[static_cast<size_t>(m_niches.back())].sample(rng);
    }

    void pickItems(DeterministicRng& rng, int64_t count) {
        const int64_t n = m_config.items;
        m_chosen.reserve(static_cast<size_t>(count));
        if (count * 3 <= n) {
            // Rejection of repeats is cheap while the user rates a small share of the catalogue.
            int64_t tries = 0;
            const int64_t maxTries = 8 * count + 1000;
            while (static_cast<int64_t>(m_chosen.size()) < count && tries++ < maxTries) {
                const int32_t item = draw(rng);
                if (!m_marked[static_cast<size_t>(item)]) {
                    m_marked[static_cast<size_t>(item)] = 1;
                    m_chosen.push_back(item);
                }
            }
        }
        const int64_t missing = count - static_cast<int64_t>(m_chosen.size());
        if (missing <= 0)
            return;
        // Heavy users: exact weighted sampling without replacement (Efraimidis-Spirakis keys
        // log(U) / w, largest first) over the items not picked yet.
        m_keys.clear();
        for (int32_t i = 0; i < n; ++i) {
            if (m_marked[static_cast<size_t>(i)])
                continue;
            m_keys.push_back({portableLog(rng.uniformOpen()) / pickWeight(i), i});
        }
        auto byKey = [](const Key& a, const Key& b) {
            return a.key > b.key || (a.key == b.key && a.item < b.item);
        };
        std::nth_element(m_keys.begin(), m_keys.begin() + (missing - 1), m_keys.end(), byKey);
        for (int64_t k = 0; k < missing; ++k) {
            const int32_t item = m_keys[static_cast<size_t>(k)].item;
            m_marked[static_cast<size_t>(item)] = 1;
            m_chosen.push_back(item);
        }
    }

    uint8_t toHalfStars(double score) const {
        if (m_config.halfStars) {
            const double h = std::floor(score * 2.0 + 0.5);
            return static_cast<uint8_t>(std::clamp(h, 1.0, 10.0));
        }
        const double s = std::floor(score + 0.5);
        return static_cast<uint8_t>(2.0 * std::clamp(s, 1.0, 5.0));
    }

    struct Key {
        double key;
        int32_t item;
    };

    const SyntheticConfig& m_config;
    const ItemModel& m_model;
    std::vector<uint8_t> m_marked;
    std::vector<int32_t> m_chosen;
    std::vector<double> m_gaps;
    std::vector<Key> m_keys;
    std::array<double, kNumGenres> m_taste{};
    std::array<double, kNumGenres> m_genreCdf{};
    std::vector<int32_t> m_niches;
    std::vector<double> m_nicheCdf;
    double m_maxTaste = 1.0;
    double m_genreShare = 0.0;
    double m_nicheShare = 0.0;
    double m_genreTotal = 1.0;
    double m_nicheTotal = 1.0;
};

Status validate(const SyntheticConfig& c) {
    if (c.users <= 0)
        return makeError("synthetic config: users must be positive, got " +
                         std::to_string(c.users));
    if (c.items <= 0)
        return makeError("synthetic config: items must be positive, got " +
                         std::to_string(c.items));
    if (c.ratings < 0)
        return makeError("synthetic config: ratings must be >= 0, got " +
                         std::to_string(c.ratings));
    if (c.ratings / c.users > c.items ||
        (c.ratings / c.users == c.items && c.ratings % c.users != 0))
        return makeError("synthetic config: " + std::to_string(c.ratings) +
                         " ratings do not fit in " + std::to_string(c.users) + " users x " +
                         std::to_string(c.items) + " items");
    return {};
}

}  // namespace

Result<Dataset> generateSynthetic(const SyntheticConfig& config, const ProgressFn& progress,
                                  const CancelToken* cancel) {
    if (Status s = validate(config); !s)
        return s;
    report(progress, "Generating items", 0.0);
    DatasetBuilder builder;
    std::vector<std::string> genreNames(kGenres.begin(), kGenres.end());
    builder.setGenreNames(genreNames);
    const ItemModel model = makeItems(config, builder);
    if (config.userMetadata)
        addUserMetadata(config, builder);

    const std::vector<int64_t> counts = allocateCounts(config);
    std::vector<int64_t> offsets(counts.size() + 1, 0);
    for (size_t u = 0; u < counts.size(); ++u)
        offsets[u + 1] = offsets[u] + counts[u];

    RawRatings raw;
    const size_t total = static_cast<size_t>(config.ratings);
    raw.users.resize(total);
    raw.items.resize(total);
    raw.halfStars.resize(total);
    raw.timestamps.resize(total);

    // Users in blocks handed out by an atomic counter; the calling thread works too and is
    // the only one that reports progress.
    constexpr int32_t kBlock = 256;
    const int32_t blocks = (config.users + kBlock - 1) / kBlock;
    std::atomic<int32_t> nextBlock{0};
    std::atomic<int64_t> done{0};
    std::atomic<bool> stop{false};
    auto work = [&](bool reporting) {
        UserSampler sampler(config, model);
        for (;;) {
            if (stop.load(std::memory_order_relaxed))
                return;
            if (isCancelled(cancel)) {
                stop = true;
                return;
            }
            const int32_t b = nextBlock.fetch_add(1);
            if (b >= blocks)
                return;
            const int32_t end = std::min(config.users, (b + 1) * kBlock);
            for (int32_t u = b * kBlock; u < end; ++u) {
                const size_t o = static_cast<size_t>(offsets[static_cast<size_t>(u)]);
                sampler.generate(u, counts[static_cast<size_t>(u)],
                                 UserOutput{raw.users.data() + o, raw.items.data() + o,
                                            raw.halfStars.data() + o, raw.timestamps.data() + o});
            }
            const int64_t size =
                offsets[static_cast<size_t>(end)] - offsets[static_cast<size_t>(b) * kBlock];
            const int64_t d = done.fetch_add(size) + size;
            if (reporting && total > 0)
                report(progress, "Generating ratings", 0.9 * static_cast<double>(d) / total);
        }
    };
    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    const unsigned helpers = std::min<unsigned>(hw, static_cast<unsigned>(blocks)) - 1;
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < helpers; ++t)
        threads.emplace_back(work, false);
    work(true);
    for (std::thread& t : threads)
        t.join();
    if (isCancelled(cancel))
        return cancelledError();

    report(progress, "Building dataset", 0.9);
    builder.setRatings(std::move(raw));
    const RatingScale scale =
        config.halfStars ? RatingScale{0.5f, 5.0f, 0.5f} : RatingScale{1.0f, 5.0f, 1.0f};
    Dataset dataset =
        builder.build(DatasetFormat::Synthetic, "synthetic:" + std::to_string(config.seed), scale);
    report(progress, "Done", 1.0);
    return dataset;
}

std::vector<uint32_t> syntheticFavouriteGenres(const SyntheticConfig& config) {
    std::vector<uint32_t> masks;
    masks.reserve(static_cast<size_t>(std::max(0, config.users)));
    for (int32_t u = 0; u < config.users; ++u) {
        DeterministicRng rng(userStreamSeed(config, u));
        std::array<double, kNumGenres> fav{};
        masks.push_back(drawFavourites(rng, fav));
    }
    return masks;
}

std::vector<std::vector<double>> syntheticUserTastes(const SyntheticConfig& config) {
    std::vector<std::vector<double>> tastes;
    tastes.reserve(static_cast<size_t>(std::max(0, config.users)));
    for (int32_t u = 0; u < config.users; ++u) {
        DeterministicRng rng(userStreamSeed(config, u));
        std::array<double, kNumGenres> fav{};
        drawFavourites(rng, fav);
        const std::array<double, kNumGenres> taste = tasteOf(fav);
        tastes.emplace_back(taste.begin(), taste.end());
    }
    return tastes;
}

bool syntheticConfigOf(const Dataset& data, SyntheticConfig* config) {
    const std::string prefix = "synthetic:";
    if (data.format() != DatasetFormat::Synthetic || data.source().rfind(prefix, 0) != 0)
        return false;
    const std::string seed = data.source().substr(prefix.size());
    if (seed.empty() || seed.size() > 19 ||
        seed.find_first_not_of("0123456789") != std::string::npos)
        return false;
    SyntheticConfig c;
    c.seed = std::stoull(seed);
    c.users = data.numUsers();
    c.items = data.numItems();
    c.ratings = data.numRatings();
    *config = c;
    return true;
}

Dataset demoDataset() {
    // The default config always validates.
    return std::move(generateSynthetic(SyntheticConfig{})).value();
}

}  // namespace recscope
