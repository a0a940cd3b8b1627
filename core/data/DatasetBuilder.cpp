#include "core/data/DatasetBuilder.h"

#include <algorithm>
#include <limits>
#include <thread>
#include <utility>

#include "core/data/HugePages.h"

namespace recscope {

void RawRatings::reserve(size_t n) {
    reserveHuge(users, n);
    reserveHuge(items, n);
    reserveHuge(halfStars, n);
    reserveHuge(timestamps, n);
}

void RawRatings::append(int64_t user, int64_t item, uint8_t half, int64_t ts) {
    users.push_back(user);
    items.push_back(item);
    halfStars.push_back(half);
    timestamps.push_back(ts);
}

void RawRatings::appendAll(RawRatings&& other) {
    if (users.empty()) {
        *this = std::move(other);
        return;
    }
    users.insert(users.end(), other.users.begin(), other.users.end());
    items.insert(items.end(), other.items.begin(), other.items.end());
    halfStars.insert(halfStars.end(), other.halfStars.begin(), other.halfStars.end());
    timestamps.insert(timestamps.end(), other.timestamps.begin(), other.timestamps.end());
    other = RawRatings();
}

void CompactRatings::reserve(size_t n) {
    reserveHuge(users, n);
    reserveHuge(items, n);
    reserveHuge(halfStars, n);
    reserveHuge(timestamps, n);
}

void DatasetBuilder::setRatings(RawRatings ratings) {
    m_chunks.clear();
    m_chunks.push_back(std::move(ratings));
}

void DatasetBuilder::addRatingChunk(RawRatings chunk) {
    if (chunk.size() > 0)
        m_chunks.emplace_back(std::move(chunk));
}

void DatasetBuilder::addRatingChunk(CompactRatings chunk) {
    if (chunk.size() > 0)
        m_chunks.emplace_back(std::move(chunk));
}

void DatasetBuilder::setGenreNames(std::vector<std::string> names) {
    m_genreNames = std::move(names);
}

void DatasetBuilder::addItem(int64_t originalId, std::string title, uint32_t genreMask) {
    m_itemRows.push_back(ItemRow{originalId, std::move(title), genreMask});
}

void DatasetBuilder::addUser(int64_t originalId, int16_t age, char gender, std::string occupation,
                             std::string zipCode) {
    m_userRows.push_back(
        UserRow{originalId, age, gender, std::move(occupation), std::move(zipCode)});
}

namespace {

// Runs f(t) for t in [0, n) on n threads (the caller's thread runs t = 0).
template <typename F>
void runParallel(int n, F&& f) {
    if (n <= 1) {
        f(0);
        return;
    }
    std::vector<std::thread> pool;
    pool.reserve(static_cast<size_t>(n - 1));
    for (int t = 1; t < n; ++t)
        pool.emplace_back([&f, t] { f(t); });
    f(0);
    for (auto& th : pool)
        th.join();
}

// Original id -> dense id. A direct table when the id range is moderate (MovieLens ids are
// small and dense enough); otherwise a sorted vector searched by bisection.
class IdMapper {
public:
    // forEachId(f) calls f(id) for every original id that must get a dense id (repeats are
    // fine); count is the number of calls.
    template <typename ForEach>
    void build(ForEach&& forEachId, size_t count) {
        int64_t lo = std::numeric_limits<int64_t>::max();
        int64_t hi = std::numeric_limits<int64_t>::min();
        forEachId([&](int64_t id) {
            lo = std::min(lo, id);
            hi = std::max(hi, id);
        });
        m_sorted.clear();
        m_table.clear();
        if (count == 0)
            return;
        const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
        const uint64_t tableLimit = std::max<uint64_t>(uint64_t(1) << 24, 4 * uint64_t(count));
        if (range <= tableLimit && range < (uint64_t(1) << 31)) {
            m_base = lo;
            m_table.assign(range, 0);
            forEachId([&](int64_t id) { m_table[static_cast<size_t>(id - lo)] = 1; });
            int32_t next = 0;
            for (size_t i = 0; i < m_table.size(); ++i) {
                if (m_table[i]) {
                    m_table[i] = next++;
                    m_sorted.push_back(lo + static_cast<int64_t>(i));
                } else {
                    m_table[i] = -1;
                }
            }
            m_useTable = true;
        } else {
            m_sorted.reserve(count);
            forEachId([&](int64_t id) { m_sorted.push_back(id); });
            std::sort(m_sorted.begin(), m_sorted.end());
            m_sorted.erase(std::unique(m_sorted.begin(), m_sorted.end()), m_sorted.end());
            m_sorted.shrink_to_fit();
            m_useTable = false;
        }
    }

    int32_t map(int64_t id) const {
        if (m_useTable)
            return m_table[static_cast<size_t>(id - m_base)];
        auto it = std::lower_bound(m_sorted.begin(), m_sorted.end(), id);
        return static_cast<int32_t>(it - m_sorted.begin());
    }

    std::vector<int64_t> takeSorted() { return std::move(m_sorted); }
    size_t size() const { return m_sorted.size(); }

private:
    bool m_useTable = false;
    int64_t m_base = 0;
    std::vector<int32_t> m_table;
    std::vector<int64_t> m_sorted;
};

using Chunk = std::variant<RawRatings, CompactRatings>;

size_t chunkSize(const Chunk& c) {
    return std::visit([](const auto& x) { return x.size(); }, c);
}

// Walks the global row range [begin, end) across the chunks in order; f(chunk, i) is
// instantiated per chunk type, so the row loop has no type dispatch.
template <typename F>
void forRows(const std::vector<Chunk>& chunks, const std::vector<size_t>& chunkStart, size_t begin,
             size_t end, F&& f) {
    for (size_t c = 0; c < chunks.size(); ++c) {
        const size_t cs = chunkStart[c];
        const size_t ce = cs + chunkSize(chunks[c]);
        const size_t a = std::max(begin, cs);
        const size_t b = std::min(end, ce);
        if (a >= b)
            continue;
        std::visit(
            [&](const auto& chunk) {
                for (size_t i = a; i < b; ++i)
                    f(chunk, i - cs);
            },
            chunks[c]);
    }
}

int bitsFor(uint64_t n) {
    int b = 0;
    while (b < 64 && (uint64_t(1) << b) < n)
        ++b;
    return b;
}

}  // namespace

Dataset DatasetBuilder::build(DatasetFormat format, std::string source, RatingScale scale,
                              int threads) {
    Dataset ds;
    ds.m_format = format;
    ds.m_source = std::move(source);
    ds.m_scale = scale;

    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    size_t total = 0;
    std::vector<size_t> chunkStart;
    for (const auto& c : m_chunks) {
        chunkStart.push_back(total);
        total += chunkSize(c);
    }
    // Threads only pay for themselves on large inputs.
    const int nt = total < 200000 ? 1 : std::min(threads, 8);

    // 1. Dense ids: users and items in parallel.
    std::vector<int64_t> metaUsers, metaItems;
    metaUsers.reserve(m_userRows.size());
    for (const auto& u : m_userRows)
        metaUsers.push_back(u.id);
    metaItems.reserve(m_itemRows.size());
    for (const auto& it : m_itemRows)
        metaItems.push_back(it.id);
    IdMapper userMap, itemMap;
    {
        auto forEachUser = [&](auto&& f) {
            for (const auto& c : m_chunks)
                std::visit(
                    [&](const auto& x) {
                        for (auto id : x.users)
                            f(int64_t(id));
                    },
                    c);
            for (int64_t id : metaUsers)
                f(id);
        };
        auto forEachItem = [&](auto&& f) {
            for (const auto& c : m_chunks)
                std::visit(
                    [&](const auto& x) {
                        for (auto id : x.items)
                            f(int64_t(id));
                    },
                    c);
            for (int64_t id : metaItems)
                f(id);
        };
        runParallel(std::min(nt, 2), [&](int t) {
            if (t == 0 || nt < 2)
                userMap.build(forEachUser, total + metaUsers.size());
            if (t == 1 || nt < 2)
                itemMap.build(forEachItem, total + metaItems.size());
        });
    }
    const size_t numUsers = userMap.size();
    const size_t numItems = itemMap.size();

    // 2. Per-thread user counts, rated-item flags and timestamp range.
    std::vector<std::vector<int64_t>> counts(static_cast<size_t>(nt));
    std::vector<std::vector<uint8_t>> rated(static_cast<size_t>(nt));
    std::vector<int64_t> tsMin(static_cast<size_t>(nt), std::numeric_limits<int64_t>::max());
    std::vector<int64_t> tsMax(static_cast<size_t>(nt), std::numeric_limits<int64_t>::min());
    auto rowBegin = [&](int t) { return total * static_cast<size_t>(t) / static_cast<size_t>(nt); };
    runParallel(nt, [&](int t) {
        auto& cnt = counts[static_cast<size_t>(t)];
        auto& rat = rated[static_cast<size_t>(t)];
        cnt.assign(numUsers, 0);
        rat.assign(numItems, 0);
        int64_t lo = tsMin[static_cast<size_t>(t)], hi = tsMax[static_cast<size_t>(t)];
        forRows(m_chunks, chunkStart, rowBegin(t), rowBegin(t + 1), [&](const auto& c, size_t i) {
            ++cnt[static_cast<size_t>(userMap.map(c.users[i]))];
            rat[static_cast<size_t>(itemMap.map(c.items[i]))] = 1;
            lo = std::min(lo, static_cast<int64_t>(c.timestamps[i]));
            hi = std::max(hi, static_cast<int64_t>(c.timestamps[i]));
        });
        tsMin[static_cast<size_t>(t)] = lo;
        tsMax[static_cast<size_t>(t)] = hi;
    });

    // 3. Offsets and per-thread write cursors (thread t writes after threads < t for each user,
    // which keeps file order within a user).
    ds.m_userOffsets.assign(numUsers + 1, 0);
    for (size_t u = 0; u < numUsers; ++u) {
        int64_t c = 0;
        for (int t = 0; t < nt; ++t) {
            const int64_t k = counts[static_cast<size_t>(t)][u];
            counts[static_cast<size_t>(t)][u] = ds.m_userOffsets[u] + c;  // now a cursor
            c += k;
        }
        ds.m_userOffsets[u + 1] = ds.m_userOffsets[u] + c;
        if (c > 0)
            ++ds.m_ratedUsers;
    }
    for (size_t i = 0; i < numItems; ++i) {
        bool any = false;
        for (int t = 0; t < nt && !any; ++t)
            any = rated[static_cast<size_t>(t)][i] != 0;
        if (any)
            ++ds.m_ratedItems;
    }
    rated.clear();
    if (total > 0) {
        ds.m_minTs = *std::min_element(tsMin.begin(), tsMin.end());
        ds.m_maxTs = *std::max_element(tsMax.begin(), tsMax.end());
    }

    // 4. Scatter into CSR.
    resizeHuge(ds.m_items, total);
    resizeHuge(ds.m_halfStars, total);
    resizeHuge(ds.m_timestamps, total);
    runParallel(nt, [&](int t) {
        auto& cur = counts[static_cast<size_t>(t)];
        int32_t* items = ds.m_items.data();
        uint8_t* hs = ds.m_halfStars.data();
        int64_t* ts = ds.m_timestamps.data();
        forRows(m_chunks, chunkStart, rowBegin(t), rowBegin(t + 1), [&](const auto& c, size_t i) {
            const size_t pos =
                static_cast<size_t>(cur[static_cast<size_t>(userMap.map(c.users[i]))]++);
            items[pos] = itemMap.map(c.items[i]);
            hs[pos] = c.halfStars[i];
            ts[pos] = c.timestamps[i];
        });
    });
    counts.clear();
    m_chunks.clear();
    m_chunks.shrink_to_fit();

    // 5. Per-user time order, stable w.r.t. file order (ties broken by position in the segment).
    // Users are split among threads by rating count.
    std::vector<size_t> userSplit(static_cast<size_t>(nt) + 1, numUsers);
    userSplit[0] = 0;
    for (int t = 1; t < nt; ++t) {
        const int64_t target = static_cast<int64_t>(rowBegin(t));
        userSplit[static_cast<size_t>(t)] = static_cast<size_t>(
            std::lower_bound(ds.m_userOffsets.begin(), ds.m_userOffsets.end(), target) -
            ds.m_userOffsets.begin());
        userSplit[static_cast<size_t>(t)] = std::min(userSplit[static_cast<size_t>(t)], numUsers);
    }
    runParallel(nt, [&](int t) {
        std::vector<uint64_t> keys;
        std::vector<int32_t> tmpItems;
        std::vector<uint8_t> tmpHs;
        std::vector<int64_t> tmpTs;
        int32_t* items = ds.m_items.data();
        uint8_t* hs = ds.m_halfStars.data();
        int64_t* ts = ds.m_timestamps.data();
        for (size_t u = userSplit[static_cast<size_t>(t)];
             u < userSplit[static_cast<size_t>(t) + 1]; ++u) {
            const size_t b = static_cast<size_t>(ds.m_userOffsets[u]);
            const size_t e = static_cast<size_t>(ds.m_userOffsets[u + 1]);
            const size_t len = e - b;
            if (len < 2 || std::is_sorted(ts + b, ts + e))
                continue;
            const int64_t lo = *std::min_element(ts + b, ts + e);
            const int64_t hi = *std::max_element(ts + b, ts + e);
            const int idxBits = bitsFor(len);
            const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
            keys.resize(len);
            if (idxBits < 64 && bitsFor(span + 1) <= 64 - idxBits) {
                for (size_t i = 0; i < len; ++i)
                    keys[i] = ((static_cast<uint64_t>(ts[b + i]) - static_cast<uint64_t>(lo))
                               << idxBits) |
                              i;
                std::sort(keys.begin(), keys.end());
                const uint64_t mask = idxBits == 0 ? 0 : (~uint64_t(0) >> (64 - idxBits));
                for (size_t i = 0; i < len; ++i)
                    keys[i] &= mask;
            } else {
                for (size_t i = 0; i < len; ++i)
                    keys[i] = i;
                std::stable_sort(keys.begin(), keys.end(),
                                 [&](uint64_t x, uint64_t y) { return ts[b + x] < ts[b + y]; });
            }
            tmpItems.assign(items + b, items + e);
            tmpHs.assign(hs + b, hs + e);
            tmpTs.assign(ts + b, ts + e);
            for (size_t i = 0; i < len; ++i) {
                const size_t k = static_cast<size_t>(keys[i]);
                items[b + i] = tmpItems[k];
                hs[b + i] = tmpHs[k];
                ts[b + i] = tmpTs[k];
            }
        }
    });

    // 6. Metadata aligned with the dense ids (first row wins for duplicated ids).
    ds.m_userIds = userMap.takeSorted();
    ds.m_itemIds = itemMap.takeSorted();
    ItemMetadata& im = ds.m_itemMeta;
    im.genreNames = std::move(m_genreNames);
    im.titles.assign(numItems, std::string());
    im.years.assign(numItems, 0);
    im.genreMasks.assign(numItems, 0);
    {
        std::vector<uint8_t> seen(numItems, 0);
        for (auto& row : m_itemRows) {
            const size_t d = static_cast<size_t>(ds.itemIndex(row.id).value_or(0));
            if (seen[d])
                continue;
            seen[d] = 1;
            im.years[d] = parseYearFromTitle(row.title);
            im.titles[d] = std::move(row.title);
            im.genreMasks[d] = row.genres;
        }
    }
    UserMetadata& um = ds.m_userMeta;
    um.present = !m_userRows.empty();
    if (um.present) {
        um.ages.assign(numUsers, 0);
        um.genders.assign(numUsers, '?');
        um.occupations.assign(numUsers, std::string());
        um.zipCodes.assign(numUsers, std::string());
        std::vector<uint8_t> seen(numUsers, 0);
        for (auto& row : m_userRows) {
            const size_t d = static_cast<size_t>(ds.userIndex(row.id).value_or(0));
            if (seen[d])
                continue;
            seen[d] = 1;
            um.ages[d] = row.age;
            um.genders[d] = row.gender;
            um.occupations[d] = std::move(row.occupation);
            um.zipCodes[d] = std::move(row.zip);
        }
    }
    m_itemRows.clear();
    m_userRows.clear();
    return ds;
}

}  // namespace recscope
