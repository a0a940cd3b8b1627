#pragma once
// Writes a Dataset in a MovieLens release layout, so every reader is tested on every format
// and the CLI's `generate` can produce files.

#include <string>

#include "core/common/Status.h"
#include "core/data/Dataset.h"

namespace recscope {

// Ml100k: u.data, u.item, u.user, u.genre (Latin-1). Ml1m: ratings.dat, movies.dat, users.dat
// (Latin-1). Ml10m: ratings.dat, movies.dat (half stars allowed). MlCsv: ratings.csv, movies.csv
// (UTF-8, titles with commas quoted). Creates outDir if needed.
Status writeMovieLens(const Dataset& dataset, DatasetFormat format, const std::string& outDir);

}  // namespace recscope
