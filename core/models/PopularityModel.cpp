#include "core/models/PopularityModel.h"

#include <algorithm>

namespace recscope {

void PopularityModel::scoreKnownUsers(const int32_t* users, int64_t n, float* out) const {
    for (int64_t r = 0; r < n; ++r)
        std::copy(m_popularity.begin(), m_popularity.end(), out + r * m_numItems);
}

void PopularityModel::scoreItems(const int32_t*, int64_t, float* out) const {
    std::copy(m_popularity.begin(), m_popularity.end(), out);
}

}  // namespace recscope
