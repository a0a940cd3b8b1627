#pragma once
// pipeline.txt, the plain-text part of a saved pipeline folder (beside retriever.pt, ranker.pt
// and second.model): the resolved parameters, the list rule, each user's seen items, each
// user's latest positives and the item genre masks. Small next to the weights.
//
//   param NAME=VALUE        one per parameter
//   exclude positives|rated
//   seen ROWS COLS          then per user: LENGTH ITEM...
//   latest ROWS             then per user: LENGTH ITEM...
//   genres COUNT            then one mask per line
//
// The reader refuses any other line and a file without its 'seen' section (ErrorCode::
// BadInput, with the line); whether the parts agree with the weights is the model's to check.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/common/Status.h"
#include "core/models/TrainData.h"
#include "core/split/Split.h"

namespace recscope {

struct PipelineFile {
    std::map<std::string, std::string> params;
    // Files written before the rule was recorded skipped every rated item.
    ExcludeRule exclude = ExcludeRule::Rated;
    CsrMatrix seen;
    std::vector<std::vector<int32_t>> latest;  // per user, oldest first
    std::vector<uint32_t> genres;
};

Status writePipelineFile(const std::string& file, const PipelineFile& contents);
Result<PipelineFile> readPipelineFile(const std::string& file);

}  // namespace recscope
