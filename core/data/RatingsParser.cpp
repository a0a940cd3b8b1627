#include "core/data/RatingsParser.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <thread>
#include <vector>

#include "core/data/TextScan.h"

namespace recscope {

namespace {

constexpr size_t kStage = 4096;             // rows staged before a bulk append
constexpr size_t kBlock = size_t(4) << 20;  // bytes between progress/cancel checks
constexpr uint64_t kMaxId = 2147483647;
constexpr uint64_t kMaxTs = 4294967295;  // CompactRatings stores Unix seconds as uint32

struct Staging {
    int32_t users[kStage];
    int32_t items[kStage];
    uint8_t half[kStage];
    uint32_t ts[kStage];
    size_t n = 0;

    void flush(CompactRatings& r) {
        r.users.insert(r.users.end(), users, users + n);
        r.items.insert(r.items.end(), items, items + n);
        r.halfStars.insert(r.halfStars.end(), half, half + n);
        r.timestamps.insert(r.timestamps.end(), ts, ts + n);
        n = 0;
    }
    void push(CompactRatings& r, uint64_t u, uint64_t i, uint8_t h, uint64_t t) {
        users[n] = static_cast<int32_t>(u);
        items[n] = static_cast<int32_t>(i);
        half[n] = h;
        ts[n] = static_cast<uint32_t>(t);
        if (++n == kStage)
            flush(r);
    }
};

struct ChunkState {
    CompactRatings rows;
    size_t errorOffset = SIZE_MAX;  // offset of the bad line's start in the whole buffer
    std::string error;
};

// Valid half-star values of the scale.
struct ScaleTable {
    bool ok[256] = {};
    explicit ScaleTable(const RatingScale& s) {
        const int lo = static_cast<int>(s.min * 2.0f + 0.5f);
        const int hi = static_cast<int>(s.max * 2.0f + 0.5f);
        const int step = std::max(1, static_cast<int>(s.step * 2.0f + 0.5f));
        for (int h = lo; h <= hi && h < 256; h += step)
            if (h >= 0)
                ok[h] = true;
    }
};

template <RatingLayout L>
inline bool separator(const char*& p) {
    if constexpr (L == RatingLayout::Csv) {
        if (*p != ',')
            return false;
        ++p;
    } else if constexpr (L == RatingLayout::Tab) {
        if (*p != '\t')
            return false;
        ++p;
    } else {
        // p[1] is readable: p[0] == ':' is not the terminating '\n'.
        if (p[0] != ':' || p[1] != ':')
            return false;
        p += 2;
    }
    return true;
}

inline bool unsignedField(const char*& p, uint64_t& v) {
    const char* s = p;
    uint64_t x = 0;
    for (;;) {
        const unsigned d = static_cast<unsigned>(static_cast<unsigned char>(*p)) - '0';
        if (d > 9)
            break;
        x = x * 10 + d;
        ++p;
    }
    if (p == s || p - s > 18)
        return false;
    v = x;
    return true;
}

// Parses the lines in [p, end); the byte before end must be '\n'. base is the buffer start
// (for error offsets). Returns false on error or cancel (state.error set on error).
template <RatingLayout L>
bool parseRange(const char* base, const char* p, const char* end, const RatingScale& scale,
                const ScaleTable& table, Staging& st, ChunkState& state) {
    CompactRatings& out = state.rows;
    while (p < end) {
        const char* line = p;
        if (*p == '\n') {
            ++p;
            continue;
        }
        uint64_t u = 0, it = 0, ts = 0;
        unsigned half = 0;
        bool ok = unsignedField(p, u) && u <= kMaxId && separator<L>(p) && unsignedField(p, it) &&
                  it <= kMaxId && separator<L>(p);
        if (ok) {
            const unsigned d = static_cast<unsigned>(static_cast<unsigned char>(*p)) - '0';
            ok = d <= 9;
            if (ok) {
                ++p;
                half = d * 2;
                if (*p == '.') {
                    ++p;
                    const unsigned f = static_cast<unsigned>(static_cast<unsigned char>(*p)) - '0';
                    if (f == 5)
                        ++half;
                    else if (f != 0)
                        ok = false;
                    if (ok) {
                        ++p;
                        while (*p == '0')
                            ++p;
                    }
                }
                ok =
                    ok && table.ok[half] && separator<L>(p) && unsignedField(p, ts) && ts <= kMaxTs;
                if (ok) {
                    if (*p == '\r')
                        ++p;
                    ok = *p == '\n';
                }
            }
        }
        if (ok) {
            ++p;
            st.push(out, u, it, static_cast<uint8_t>(half), ts);
            continue;
        }
        // Slow path: odd but valid lines are accepted, anything else is the error.
        const char* nl =
            static_cast<const char*>(std::memchr(line, '\n', static_cast<size_t>(end - line)));
        size_t len = static_cast<size_t>(nl - line);
        if (len > 0 && line[len - 1] == '\r')
            --len;
        int64_t su = 0, si = 0, sts = 0;
        uint8_t sh = 0;
        if (text::trim(std::string_view(line, len)).empty()) {
            p = nl + 1;  // blank line
            continue;
        }
        if (!RatingsParser::parseLineSlow(std::string_view(line, len), L, scale, su, si, sh, sts,
                                          state.error)) {
            state.errorOffset = static_cast<size_t>(line - base);
            return false;
        }
        if (static_cast<uint64_t>(sts) > kMaxTs) {
            state.error = "timestamp " + std::to_string(sts) +
                          " out of range: expected Unix seconds up to 4294967295";
            state.errorOffset = static_cast<size_t>(line - base);
            return false;
        }
        st.push(out, static_cast<uint64_t>(su), static_cast<uint64_t>(si), sh,
                static_cast<uint64_t>(sts));
        p = nl + 1;
    }
    return true;
}

template <RatingLayout L>
void parseChunk(const RatingsParser::Job& job, size_t begin, size_t end, const ScaleTable& table,
                ChunkState& state, std::atomic<size_t>& done, std::atomic<int>& firstFailed,
                int chunk, bool reportProgress) {
    auto st = std::make_unique<Staging>();
    const char* base = job.data;
    size_t pos = begin;
    while (pos < end) {
        // Only an error in an EARLIER chunk makes this one pointless: a later chunk's error
        // must not stop us before we reach our own, which is the one to report.
        if (firstFailed.load(std::memory_order_relaxed) < chunk || isCancelled(job.cancel))
            break;
        size_t blockEnd = std::min(end, pos + kBlock);
        if (blockEnd < end) {
            const void* nl = std::memchr(base + blockEnd, '\n', end - blockEnd);
            blockEnd = nl ? static_cast<size_t>(static_cast<const char*>(nl) - base) + 1 : end;
        }
        if (!parseRange<L>(base, base + pos, base + blockEnd, job.scale, table, *st, state)) {
            int seen = firstFailed.load();
            while (chunk < seen && !firstFailed.compare_exchange_weak(seen, chunk)) {
            }
            break;
        }
        done.fetch_add(blockEnd - pos, std::memory_order_relaxed);
        pos = blockEnd;
        if (reportProgress && job.progress) {
            const double f = static_cast<double>(done.load()) /
                             static_cast<double>(std::max<size_t>(1, job.size - job.bodyStart));
            report(job.progress, job.stage,
                   job.progressFrom + (job.progressTo - job.progressFrom) * std::min(1.0, f));
        }
    }
    st->flush(state.rows);
}

template <RatingLayout L>
Result<int64_t> parseAll(const RatingsParser::Job& job, DatasetBuilder& out) {
    const ScaleTable table(job.scale);
    const char* data = job.data;
    // Lines up to the last '\n' are parsed in place; a final unterminated line is copied.
    size_t bodyEnd = job.size;
    while (bodyEnd > job.bodyStart && data[bodyEnd - 1] != '\n')
        --bodyEnd;
    const size_t bytes = bodyEnd - job.bodyStart;
    int threads = std::max(1, job.threads);
    threads = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads),
                                                std::max<size_t>(1, bytes / (size_t(1) << 20))));
    std::vector<size_t> bounds{job.bodyStart};
    for (int t = 1; t < threads; ++t) {
        size_t b = job.bodyStart + bytes * static_cast<size_t>(t) / static_cast<size_t>(threads);
        b = std::max(b, bounds.back());
        const void* nl = std::memchr(data + b, '\n', bodyEnd - b);
        bounds.push_back(nl ? static_cast<size_t>(static_cast<const char*>(nl) - data) + 1
                            : bodyEnd);
    }
    bounds.push_back(bodyEnd);

    // Reserve from the average line length of a sample, so that vectors rarely regrow.
    size_t sampleLines = 0;
    const size_t sampleBytes = std::min<size_t>(bytes, 1 << 16);
    for (size_t i = 0; i < sampleBytes; ++i)
        sampleLines += data[job.bodyStart + i] == '\n';
    const double avgLine =
        sampleLines ? static_cast<double>(sampleBytes) / static_cast<double>(sampleLines) : 16.0;

    std::vector<ChunkState> states(static_cast<size_t>(threads));
    std::atomic<size_t> done{0};
    std::atomic<int> firstFailed{INT_MAX};  // lowest chunk index that hit a bad line
    auto work = [&](int t) {
        const size_t b = bounds[static_cast<size_t>(t)], e = bounds[static_cast<size_t>(t) + 1];
        states[static_cast<size_t>(t)].rows.reserve(
            static_cast<size_t>(static_cast<double>(e - b) / avgLine * 1.03) + 64);
        parseChunk<L>(job, b, e, table, states[static_cast<size_t>(t)], done, firstFailed, t,
                      t == 0);
    };
    {
        std::vector<std::thread> pool;
        for (int t = 1; t < threads; ++t)
            pool.emplace_back(work, t);
        work(0);
        for (auto& th : pool)
            th.join();
    }
    // The earliest error in file order wins.
    for (auto& s : states) {
        if (s.errorOffset != SIZE_MAX)
            return makeError(ErrorCode::BadInput, s.error, job.fileName,
                             text::lineNumberAt(data, s.errorOffset));
    }
    if (isCancelled(job.cancel))
        return cancelledError();

    ChunkState tail;
    if (bodyEnd < job.size) {
        std::string last(data + bodyEnd, job.size - bodyEnd);
        last.push_back('\n');
        auto st = std::make_unique<Staging>();
        if (!parseRange<L>(last.data(), last.data(), last.data() + last.size(), job.scale, table,
                           *st, tail))
            return makeError(ErrorCode::BadInput, tail.error, job.fileName,
                             text::lineNumberAt(data, bodyEnd));
        st->flush(tail.rows);
    }
    int64_t rows = 0;
    for (auto& s : states) {
        rows += static_cast<int64_t>(s.rows.size());
        out.addRatingChunk(std::move(s.rows));
    }
    rows += static_cast<int64_t>(tail.rows.size());
    out.addRatingChunk(std::move(tail.rows));
    return rows;
}

const char* const kColumns[3][4] = {
    {"userId", "movieId", "rating", "timestamp"},
    {"UserID", "MovieID", "Rating", "Timestamp"},
    {"user id", "item id", "rating", "timestamp"},
};

}  // namespace

bool RatingsParser::parseLineSlow(std::string_view line, RatingLayout layout,
                                  const RatingScale& scale, int64_t& user, int64_t& item,
                                  uint8_t& half, int64_t& ts, std::string& err) {
    const int li = static_cast<int>(layout);
    const char* const* cols = kColumns[li];
    const std::string_view sep = layout == RatingLayout::Csv   ? std::string_view(",")
                                 : layout == RatingLayout::Tab ? std::string_view("\t")
                                                               : std::string_view("::");
    const std::string sepName = layout == RatingLayout::Tab ? "tab" : "'" + std::string(sep) + "'";
    const std::string expected = std::string("expected 4 fields (") + cols[0] + ", " + cols[1] +
                                 ", " + cols[2] + ", " + cols[3] + ") separated by " + sepName;
    std::vector<std::string_view> f;
    text::split(line, sep, f);
    if (f.size() < 4) {
        // A line with a different separator is the common cause: say so.
        static const std::pair<const char*, const char*> others[] = {
            {"::", "'::'"}, {"\t", "tab"}, {",", "','"},
            {";", "';'"},   {"|", "'|'"},  {" ", "space"}};
        for (const auto& o : others) {
            if (std::string_view(o.first) == sep)
                continue;
            std::vector<std::string_view> g;
            text::split(line, o.first, g);
            if (g.size() >= 4) {
                err = std::string("wrong delimiter: found ") + o.second + ", " + expected;
                return false;
            }
        }
        err = "missing column: found " + std::to_string(f.size()) + " field" +
              (f.size() == 1 ? "" : "s") + ", " + expected;
        return false;
    }
    if (f.size() > 4) {
        err = "extra column: found " + std::to_string(f.size()) + " fields, " + expected;
        return false;
    }
    if (!text::parseId(f[0], cols[0], user, err) || !text::parseId(f[1], cols[1], item, err) ||
        !text::parseRating(f[2], scale, half, err) || !text::parseInt(f[3], cols[3], ts, err))
        return false;
    if (ts < 0) {
        err = std::string("negative ") + cols[3] + " " + text::quoteField(f[3]) +
              ": expected Unix seconds";
        return false;
    }
    return true;
}

Result<int64_t> RatingsParser::parse(const Job& job, DatasetBuilder& out) {
    switch (job.layout) {
        case RatingLayout::Csv:
            return parseAll<RatingLayout::Csv>(job, out);
        case RatingLayout::DoubleColon:
            return parseAll<RatingLayout::DoubleColon>(job, out);
        case RatingLayout::Tab:
            return parseAll<RatingLayout::Tab>(job, out);
    }
    return makeError("unknown layout");
}

}  // namespace recscope
