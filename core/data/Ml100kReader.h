#pragma once
// ML-100K: u.data (tab separated ratings), u.item (pipe separated, Latin-1, 19 genre flags),
// u.genre (genre names and flag order), u.user (id|age|gender|occupation|zip).

#include "core/data/DatasetReader.h"

namespace recscope {

class Ml100kReader : public DatasetReader {
public:
    const char* name() const override;
    const char* ratingsFile() const override;
    std::vector<std::string> companionFiles() const override;
    DatasetFormat formatOf(const DataSource& source, const std::string& prefix) const override;
    RatingScale scale(DatasetFormat format) const override;
    Status read(const ReadContext& ctx, DatasetBuilder& out) const override;
};

}  // namespace recscope
