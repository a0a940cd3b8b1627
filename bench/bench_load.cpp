// Load speed: writes (or reuses) an ML-20M-sized ratings.csv + movies.csv, then prints the time
// to read the file once, the cold parse+build time (no cache), the reopen-from-cache time and
// the memory per rating; the same for the real ml-100k and ml-latest-small.
//
// Usage: bench_load [folder]   (default /tmp/recscope-bench-ml20m; reused when present)

#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/data/DatasetLoader.h"

using namespace recscope;
namespace fs = std::filesystem;

namespace {

constexpr int32_t kUsers = 138493;
constexpr int32_t kItems = 26744;
constexpr int64_t kRows = 20000263;

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// User + system CPU seconds of the whole process (all threads): on a shared machine the wall
// clock also counts other people's work.
double cpuSeconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           1e-6 * double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

long rssKb(const char* key) {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind(key, 0) == 0)
            return std::atol(line.c_str() + std::strlen(key));
    return -1;
}

char* putUint(char* p, uint64_t v) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

// ML-20M shape: users sorted, each user's rows sorted by movieId (so not in time order),
// >= 20 ratings per user with a long tail, Zipf-like item popularity, half-star ratings,
// timestamps 1995..2015.
bool writeMl20m(const std::string& dir) {
    fs::create_directories(dir);
    const std::string path = dir + "/ratings.csv";
    std::FILE* f = std::fopen((path + ".tmp").c_str(), "wb");
    if (!f)
        return false;
    std::mt19937_64 rng(20150331);
    // 26,744 distinct movie ids out of 1..131262, ascending: the low ids are dense (as in the
    // real release, where ids below 10,000 carry most ratings), the rest sparse.
    std::vector<int32_t> movieIds;
    {
        std::vector<int32_t> high;
        for (int32_t i = 9000; i <= 131262; ++i)
            high.push_back(i);
        std::shuffle(high.begin(), high.end(), rng);
        for (int32_t i = 1; i < 9000; ++i)
            movieIds.push_back(i);
        movieIds.insert(movieIds.end(), high.begin(), high.begin() + (kItems - 8999));
        std::sort(movieIds.begin(), movieIds.end());
    }
    // Popularity: Zipf(0.95) by rank; ranks follow the id order loosely (old movies have more
    // ratings), shuffled within windows of 400.
    std::vector<double> cdf(kItems);
    {
        std::vector<int32_t> rank(kItems);
        for (int32_t i = 0; i < kItems; ++i)
            rank[size_t(i)] = i;
        for (int32_t w = 0; w < kItems; w += 400)
            std::shuffle(rank.begin() + w, rank.begin() + std::min(kItems, w + 400), rng);
        double s = 0;
        std::vector<double> w(kItems);
        for (int32_t i = 0; i < kItems; ++i)
            w[size_t(rank[size_t(i)])] = 1.0 / std::pow(double(i + 1), 0.95);
        for (int32_t i = 0; i < kItems; ++i)
            cdf[size_t(i)] = (s += w[size_t(i)]);
        for (auto& c : cdf)
            c /= s;
    }
    // Per-user counts: 20 + a Pareto tail, scaled to the exact total.
    std::vector<int64_t> counts(kUsers);
    {
        std::uniform_real_distribution<double> uni(0.0, 1.0);
        std::vector<double> extra(kUsers);
        double sum = 0;
        for (auto& e : extra)
            sum += (e = std::min(8000.0, 30.0 / std::pow(1.0 - uni(rng), 0.8) - 30.0));
        const double left = double(kRows - int64_t(20) * kUsers);
        int64_t total = 0;
        for (int32_t u = 0; u < kUsers; ++u)
            total += counts[size_t(u)] = 20 + int64_t(extra[size_t(u)] / sum * left);
        for (int32_t u = 0; total < kRows; u = (u + 1) % kUsers, ++total)
            ++counts[size_t(u)];
    }
    static const uint8_t halfDist[] = {1, 2, 2, 3, 4, 4, 4, 5, 6, 6, 6,  6,  6, 7,
                                       7, 7, 8, 8, 8, 8, 8, 8, 9, 9, 10, 10, 10};
    std::vector<char> buf(size_t(16) << 20);
    char* p = buf.data();
    const char* header = "userId,movieId,rating,timestamp\n";
    p = std::copy(header, header + std::strlen(header), p);
    std::vector<int32_t> stamp(kItems, -1), picked;
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    for (int32_t u = 0; u < kUsers; ++u) {
        picked.clear();
        const int64_t k = counts[size_t(u)];
        while (int64_t(picked.size()) < k) {
            const auto it = std::lower_bound(cdf.begin(), cdf.end(), uni(rng));
            const int32_t item = std::min<int32_t>(kItems - 1, int32_t(it - cdf.begin()));
            if (stamp[size_t(item)] == u)
                continue;
            stamp[size_t(item)] = u;
            picked.push_back(item);
        }
        std::sort(picked.begin(), picked.end());
        const int64_t base = 789652009 + int64_t(rng() % (1427784002ULL - 789652009ULL - 1));
        const int64_t span = std::min<int64_t>(1427784002 - base, 86400LL * (1 + rng() % 900));
        for (int32_t item : picked) {
            if (size_t(p - buf.data()) > buf.size() - 64) {
                std::fwrite(buf.data(), 1, size_t(p - buf.data()), f);
                p = buf.data();
            }
            const uint8_t h = halfDist[rng() % sizeof(halfDist)];
            p = putUint(p, uint64_t(u + 1));
            *p++ = ',';
            p = putUint(p, uint64_t(movieIds[size_t(item)]));
            *p++ = ',';
            *p++ = char('0' + h / 2);
            *p++ = '.';
            *p++ = (h & 1) ? '5' : '0';
            *p++ = ',';
            p = putUint(p, uint64_t(base + int64_t(rng() % uint64_t(span + 1))));
            *p++ = '\n';
        }
    }
    std::fwrite(buf.data(), 1, size_t(p - buf.data()), f);
    const bool ok = std::fclose(f) == 0;
    fs::rename(path + ".tmp", path);

    std::FILE* m = std::fopen((dir + "/movies.csv").c_str(), "wb");
    if (!m)
        return false;
    static const char* genres[] = {"Action", "Comedy", "Drama", "Romance", "Thriller", "Sci-Fi"};
    std::fprintf(m, "movieId,title,genres\n");
    for (int32_t i = 0; i < kItems; ++i) {
        const int year = 1920 + int(rng() % 95);
        if (i % 7 == 0)
            std::fprintf(m, "%d,\"Movie %d, The (%d)\",%s|%s\n", movieIds[size_t(i)], i, year,
                         genres[i % 6], genres[(i / 6) % 6]);
        else
            std::fprintf(m, "%d,Movie %d (%d),%s\n", movieIds[size_t(i)], i, year, genres[i % 6]);
    }
    std::ofstream(dir + "/.v2") << "2\n";  // generator version marker
    return std::fclose(m) == 0 && ok;
}

// "wc -l": read the file once and count lines.
void timeLineCount(const std::string& file) {
    const double t0 = now();
    const int fd = ::open(file.c_str(), O_RDONLY);
    if (fd < 0)
        return;
    std::vector<char> buf(size_t(1) << 20);
    int64_t lines = 0, bytes = 0;
    ssize_t n;
    while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
        bytes += n;
        const char* q = buf.data();
        const char* end = q + n;
        while ((q = static_cast<const char*>(std::memchr(q, '\n', size_t(end - q))))) {
            ++lines;
            ++q;
        }
    }
    ::close(fd);
    std::printf("  read once (wc -l): %.3f s  (%lld lines, %.1f MB)\n", now() - t0,
                static_cast<long long>(lines), double(bytes) / 1e6);
}

void benchOne(const std::string& label, const std::string& path) {
    std::printf("== %s: %s\n", label.c_str(), path.c_str());
    const std::string ratings = fs::exists(path + "/ratings.csv") ? path + "/ratings.csv"
                                : fs::exists(path + "/u.data")    ? path + "/u.data"
                                                                  : std::string();
    if (!ratings.empty()) {
        timeLineCount(ratings);
        timeLineCount(ratings);
    }
    LoadOptions cold;
    cold.useCache = false;
    double best = 1e9;
    for (int run = 0; run < 3; ++run) {
        malloc_trim(0);
        const long rss0 = rssKb("VmRSS:");
        double tBuild = 0, cBuild = 0;
        const double t0 = now(), c0 = cpuSeconds();
        auto r = loadDataset(path, cold, [&](const Progress& p) {
            if (p.stage == "Building dataset") {
                tBuild = now();
                cBuild = cpuSeconds();
            }
        });
        const double t1 = now(), c1 = cpuSeconds();
        if (!r) {
            std::printf("  error: %s\n", r.error().toString().c_str());
            return;
        }
        malloc_trim(0);
        const long rss1 = rssKb("VmRSS:");
        best = std::min(best, t1 - t0);
        const Dataset& ds = r.value();
        std::printf(
            "  cold parse+build #%d: %.3f s wall (parse %.3f, build %.3f); CPU %.3f s (parse "
            "%.3f, build %.3f)  %d users, %d items, %lld ratings\n",
            run + 1, t1 - t0, tBuild - t0, t1 - tBuild, c1 - c0, cBuild - c0, c1 - cBuild,
            ds.numUsers(), ds.numItems(), static_cast<long long>(ds.numRatings()));
        if (run == 0)
            std::printf(
                "  bytes/rating: %.2f (ratingBytes), %.2f (RSS delta %.1f MB), peak RSS "
                "%.1f MB\n",
                double(ds.ratingBytes()) / double(ds.numRatings()),
                double(rss1 - rss0) * 1024.0 / double(ds.numRatings()),
                double(rss1 - rss0) / 1024.0, double(rssKb("VmHWM:")) / 1024.0);
    }
    std::printf("  cold parse+build best: %.3f s\n", best);

    const fs::path cacheDir =
        fs::temp_directory_path() / ("recscope-bench-cache-" + std::to_string(::getpid()));
    LoadOptions cached;
    cached.cacheDir = cacheDir.string();
    {
        const double t0 = now();
        auto r = loadDataset(path, cached);
        std::printf("  first load with cache write: %.3f s\n", now() - t0);
    }
    best = 1e9;
    for (int run = 0; run < 3; ++run) {
        bool hit = false;
        const double t0 = now(), c0 = cpuSeconds();
        auto r = loadDataset(path, cached, [&](const Progress& p) {
            if (p.stage == "Loaded from cache")
                hit = true;
        });
        const double t = now() - t0;
        best = std::min(best, t);
        std::printf("  reopen from cache #%d: %.3f s wall, %.3f s CPU%s\n", run + 1, t,
                    cpuSeconds() - c0, hit ? "" : "  (MISS: parsed again)");
    }
    std::printf("  reopen from cache best: %.3f s\n", best);
    std::error_code ec;
    fs::remove_all(cacheDir, ec);
}

}  // namespace

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : "/tmp/recscope-bench-ml20m";
    std::printf("hardware threads: %u\n", std::thread::hardware_concurrency());
    const std::string ratings = dir + "/ratings.csv";
    std::error_code ec;
    if (!fs::exists(ratings) || fs::file_size(ratings, ec) < 400000000 ||
        !fs::exists(dir + "/.v2")) {
        const double t0 = now();
        if (!writeMl20m(dir)) {
            std::fprintf(stderr, "cannot write %s\n", dir.c_str());
            return 1;
        }
        std::printf("wrote %s (%.1f MB) in %.1f s\n", ratings.c_str(),
                    double(fs::file_size(ratings)) / 1e6, now() - t0);
    } else {
        std::printf("reusing %s (%.1f MB)\n", ratings.c_str(),
                    double(fs::file_size(ratings)) / 1e6);
    }
    benchOne("ML-20M-sized (generated)", dir);
    const std::string shared = RECSCOPE_SHARED_DATA;
    for (const char* rel : {"/ml-100k", "/ml-latest-small", "/ml-latest-small.zip"})
        if (fs::exists(shared + rel))
            benchOne(rel + 1, shared + rel);
    return 0;
}
