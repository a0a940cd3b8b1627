#pragma once
// Turns rows in file order (original MovieLens ids) into a Dataset: dense ids, CSR by user,
// per-user stable time order, item/user metadata aligned with the dense ids.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/data/Dataset.h"

namespace recscope {

// Columns of raw ratings in file order, original ids. Parsers fill these directly (possibly per
// thread chunk, then concatenated) to avoid per-row calls.
struct RawRatings {
    std::vector<int64_t> users;
    std::vector<int64_t> items;
    std::vector<uint8_t> halfStars;  // rating * 2, e.g. 7 = 3.5 stars
    std::vector<int64_t> timestamps;

    size_t size() const { return users.size(); }
    void reserve(size_t n);
    void append(int64_t user, int64_t item, uint8_t half, int64_t ts);
    void appendAll(RawRatings&& other);
};

// The parsers' compact form of the same columns (13 instead of 25 bytes per row): MovieLens ids
// fit in int32 and Unix seconds in uint32. Halves the fresh memory a 20M-row parse touches.
struct CompactRatings {
    std::vector<int32_t> users;
    std::vector<int32_t> items;
    std::vector<uint8_t> halfStars;
    std::vector<uint32_t> timestamps;

    size_t size() const { return users.size(); }
    void reserve(size_t n);
};

class DatasetBuilder {
public:
    void setRatings(RawRatings ratings);
    // Appends a further block of rows that logically follows the earlier ones in file order, so
    // that parallel parsers need not concatenate their per-thread columns.
    void addRatingChunk(RawRatings chunk);
    void addRatingChunk(CompactRatings chunk);
    void setGenreNames(std::vector<std::string> names);
    // Item metadata; title is UTF-8. Year is parsed from the title.
    void addItem(int64_t originalId, std::string title, uint32_t genreMask);
    void addUser(int64_t originalId, int16_t age, char gender, std::string occupation,
                 std::string zipCode);

    // Consumes the builder. threads <= 0: use the hardware concurrency.
    Dataset build(DatasetFormat format, std::string source, RatingScale scale, int threads = 0);

private:
    // Concatenated in order = the file order.
    std::vector<std::variant<RawRatings, CompactRatings>> m_chunks;
    std::vector<std::string> m_genreNames;
    struct ItemRow {
        int64_t id;
        std::string title;
        uint32_t genres;
    };
    struct UserRow {
        int64_t id;
        int16_t age;
        char gender;
        std::string occupation, zip;
    };
    std::vector<ItemRow> m_itemRows;
    std::vector<UserRow> m_userRows;
};

}  // namespace recscope
