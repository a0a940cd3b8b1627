#include "core/data/Dataset.h"

#include <algorithm>

namespace recscope {

std::string formatName(DatasetFormat format) {
    switch (format) {
        case DatasetFormat::Ml100k:
            return "100k";
        case DatasetFormat::Ml1m:
            return "1m";
        case DatasetFormat::Ml10m:
            return "10m";
        case DatasetFormat::MlCsv:
            return "csv";
        case DatasetFormat::Synthetic:
            return "synthetic";
    }
    return "synthetic";
}

std::optional<DatasetFormat> parseFormatName(const std::string& name) {
    std::string n;
    for (char c : name)
        n.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    for (DatasetFormat f : {DatasetFormat::Ml100k, DatasetFormat::Ml1m, DatasetFormat::Ml10m,
                            DatasetFormat::MlCsv, DatasetFormat::Synthetic}) {
        if (formatName(f) == n)
            return f;
    }
    return std::nullopt;
}

namespace {
std::optional<int32_t> findId(const std::vector<int64_t>& ids, int64_t originalId) {
    auto it = std::lower_bound(ids.begin(), ids.end(), originalId);
    if (it == ids.end() || *it != originalId)
        return std::nullopt;
    return static_cast<int32_t>(it - ids.begin());
}
}  // namespace

std::optional<int32_t> Dataset::userIndex(int64_t originalId) const {
    return findId(m_userIds, originalId);
}

std::optional<int32_t> Dataset::itemIndex(int64_t originalId) const {
    return findId(m_itemIds, originalId);
}

double Dataset::density() const {
    if (m_ratedUsers == 0 || m_ratedItems == 0)
        return 0.0;
    return static_cast<double>(numRatings()) /
           (static_cast<double>(m_ratedUsers) * static_cast<double>(m_ratedItems));
}

size_t Dataset::ratingBytes() const {
    return m_userIds.size() * sizeof(int64_t) + m_itemIds.size() * sizeof(int64_t) +
           m_userOffsets.size() * sizeof(int64_t) + m_items.size() * sizeof(int32_t) +
           m_halfStars.size() * sizeof(uint8_t) + m_timestamps.size() * sizeof(int64_t);
}

int16_t parseYearFromTitle(const std::string& title) {
    // Trailing "(1995)", also "(2006-2007)" / "(2006–2007)" ranges seen in newer releases.
    size_t end = title.size();
    while (end > 0 && (title[end - 1] == ' ' || title[end - 1] == '\t' || title[end - 1] == '\r'))
        --end;
    if (end < 6 || title[end - 1] != ')')
        return 0;
    const size_t open = title.rfind('(', end - 1);
    if (open == std::string::npos || end - open < 6)
        return 0;
    int year = 0;
    for (size_t i = open + 1; i < open + 5; ++i) {
        const char c = title[i];
        if (c < '0' || c > '9')
            return 0;
        year = year * 10 + (c - '0');
    }
    const size_t after = open + 5;
    if (after != end - 1) {
        // Only a range may follow the four digits.
        const char c = title[after];
        if (c != '-' && c != static_cast<char>(0xE2))
            return 0;
    }
    if (year < 1800 || year > 2999)
        return 0;
    return static_cast<int16_t>(year);
}

}  // namespace recscope
