#pragma once
// A parsed MovieLens release (or the synthetic demo) held in memory.
//
// Ids: users and items get dense internal ids 0..n-1 in ascending order of their original
// MovieLens id. Users/items that appear only in metadata (no rating) get ids too.
// Ratings are grouped by user (CSR) and, within a user, in time order (stable with respect to
// file order for equal timestamps). Storage is 13 bytes per rating: int32 item, uint8 half-stars,
// int64 timestamp (+ 8 bytes per user for offsets).
//
// A Dataset is immutable once built (see DatasetBuilder) and safe to read from many threads.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace recscope {

enum class DatasetFormat {
    Ml100k,    // u.data / u.item / u.user
    Ml1m,      // ratings.dat / movies.dat / users.dat, "::" separated
    Ml10m,     // like 1M, half-star ratings, no users.dat
    MlCsv,     // ratings.csv / movies.csv with header (20M, 25M, 32M, latest, latest-small)
    Synthetic  // generated in memory (the built-in demo)
};

// "100k", "1m", "10m", "csv", "synthetic" (the names the CLI uses).
std::string formatName(DatasetFormat format);
std::optional<DatasetFormat> parseFormatName(const std::string& name);

struct RatingScale {
    float min = 1.0f;
    float max = 5.0f;
    float step = 1.0f;  // 0.5 for half-star releases
};

struct ItemMetadata {
    std::vector<std::string> titles;       // UTF-8 (Latin-1 sources are converted)
    std::vector<int16_t> years;            // from "(1995)" at the end of the title; 0 if none
    std::vector<uint32_t> genreMasks;      // bit g set = genreNames[g]
    std::vector<std::string> genreNames;   // at most 32
};

struct UserMetadata {
    bool present = false;                  // only 100K and 1M ship user data
    std::vector<int16_t> ages;             // 0 unknown
    std::vector<char> genders;             // 'M', 'F' or '?'
    std::vector<std::string> occupations;
    std::vector<std::string> zipCodes;
};

class Dataset {
public:
    int32_t numUsers() const { return static_cast<int32_t>(m_userIds.size()); }
    int32_t numItems() const { return static_cast<int32_t>(m_itemIds.size()); }
    int64_t numRatings() const { return static_cast<int64_t>(m_items.size()); }
    int32_t numRatedUsers() const { return m_ratedUsers; }  // users with >= 1 rating
    int32_t numRatedItems() const { return m_ratedItems; }  // items with >= 1 rating

    // CSR by user: user u's ratings are indices [userOffsets()[u], userOffsets()[u+1]).
    const std::vector<int64_t>& userOffsets() const { return m_userOffsets; }  // numUsers()+1
    const std::vector<int32_t>& items() const { return m_items; }             // numRatings()
    const std::vector<uint8_t>& halfStars() const { return m_halfStars; }     // rating * 2
    const std::vector<int64_t>& timestamps() const { return m_timestamps; }   // Unix seconds
    float rating(int64_t index) const { return 0.5f * m_halfStars[static_cast<size_t>(index)]; }

    int64_t originalUserId(int32_t user) const { return m_userIds[static_cast<size_t>(user)]; }
    int64_t originalItemId(int32_t item) const { return m_itemIds[static_cast<size_t>(item)]; }
    std::optional<int32_t> userIndex(int64_t originalId) const;
    std::optional<int32_t> itemIndex(int64_t originalId) const;

    const ItemMetadata& itemMetadata() const { return m_itemMeta; }
    const UserMetadata& userMetadata() const { return m_userMeta; }

    DatasetFormat format() const { return m_format; }
    const std::string& source() const { return m_source; }  // folder, zip or "synthetic:<seed>"
    RatingScale ratingScale() const { return m_scale; }
    int64_t minTimestamp() const { return m_minTs; }
    int64_t maxTimestamp() const { return m_maxTs; }
    // numRatings / (numRatedUsers * numRatedItems); 0 when empty.
    double density() const;
    // Bytes held by the rating columns and id maps (not metadata strings).
    size_t ratingBytes() const;

private:
    friend class DatasetBuilder;
    friend class DatasetCache;

    std::vector<int64_t> m_userIds;  // dense -> original, ascending
    std::vector<int64_t> m_itemIds;  // dense -> original, ascending
    std::vector<int64_t> m_userOffsets{0};
    std::vector<int32_t> m_items;
    std::vector<uint8_t> m_halfStars;
    std::vector<int64_t> m_timestamps;
    ItemMetadata m_itemMeta;
    UserMetadata m_userMeta;
    DatasetFormat m_format = DatasetFormat::Synthetic;
    std::string m_source;
    RatingScale m_scale;
    int64_t m_minTs = 0;
    int64_t m_maxTs = 0;
    int32_t m_ratedUsers = 0;
    int32_t m_ratedItems = 0;
};

// Year from a MovieLens title such as "Toy Story (1995)" or "Babe (1995) " ; 0 when none.
int16_t parseYearFromTitle(const std::string& title);

}  // namespace recscope
