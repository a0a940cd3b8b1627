#pragma once
// The CSV family (20M, 25M, 32M, latest, latest-small): ratings.csv and movies.csv with header
// lines, UTF-8, quoted titles (commas, doubled quotes), CRLF line ends in some releases.

#include "core/data/DatasetReader.h"

namespace recscope {

class MlCsvReader : public DatasetReader {
public:
    const char* name() const override;
    const char* ratingsFile() const override;
    std::vector<std::string> companionFiles() const override;
    DatasetFormat formatOf(const DataSource& source, const std::string& prefix) const override;
    RatingScale scale(DatasetFormat format) const override;
    Status read(const ReadContext& ctx, DatasetBuilder& out) const override;
};

}  // namespace recscope
