#pragma once
// ML-1M and ML-10M: ratings.dat, movies.dat (id::title::genres, Latin-1 in 1M) and, in 1M only,
// users.dat (id::gender::age::occupation code::zip). 1M is told apart by its users.dat.

#include "core/data/DatasetReader.h"

namespace recscope {

class MlDatReader : public DatasetReader {
public:
    const char* name() const override;
    const char* ratingsFile() const override;
    std::vector<std::string> companionFiles() const override;
    DatasetFormat formatOf(const DataSource& source, const std::string& prefix) const override;
    RatingScale scale(DatasetFormat format) const override;
    Status read(const ReadContext& ctx, DatasetBuilder& out) const override;
};

}  // namespace recscope
