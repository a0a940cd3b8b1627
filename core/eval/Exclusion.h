#pragma once
// The one rule for what a ranked list may not contain (docs/protocols.md, "What a list may
// contain"). Every list RecScope ranks takes its removed items from excludedItems() or, for a
// user known only by a history, excludedHistoryItems(): the evaluator's full ranking, the
// watch list, the inspector and the what-if lists, each stage of the pipeline report, and
// `recscope-cli recommend`. No model removes items from its own scores. A staged model may
// skip TrainData::listExclusion() when it picks its candidates: that set is contained in what
// excludedItems() removes for every part, never more.

#include <cstdint>
#include <vector>

#include "core/split/Split.h"

namespace recscope {

struct TrainData;
struct HistoryEntry;

enum class EvalPart { Validation, Test };

// Items removed from `user`'s list when `part` of train.split is ranked, ascending and unique,
// written to `out` (cleared first):
//   - the user's training positives (ExcludeRule::Positives, the default and P1 as published)
//     or every item the user rated in training (ExcludeRule::Rated), in the data the model was
//     fitted on (train.split->config.exclude says which);
//   - for EvalPart::Test, also every validation item of the user, whatever its rating, and
//     also when --fit-on moved the validation rows into training: a test list never holds an
//     item whose rating the run has already used, and the set does not depend on --fit-on;
//   - strong protocol: a held-out user has no training row; the user's fold-in rows take their
//     place under the same rule.
// Users outside [0, train.numUsers) exclude nothing. Reads only: safe from several threads.
void excludedItems(const TrainData& train, EvalPart part, int32_t user, std::vector<int32_t>& out);

// A strong split's held-out user as the models see them: the user's fold-in rows as a history
// (positives judged by the split's threshold), in the split's order. Empty for other users.
std::vector<HistoryEntry> foldInHistory(const Split& split, int32_t user);

// The catalogue every list is drawn from, 1 per item that has at least one training rating
// (numItems entries). Items outside it are never ranked, for any user.
std::vector<char> rankableItems(const TrainData& train);

// The same rule for a user known only by `history` (the what-if user): the history's
// positives (HistoryEntry::positive) under Positives, all its items under Rated. Ascending,
// unique; ids outside [0, numItems) are dropped.
std::vector<int32_t> excludedHistoryItems(const std::vector<HistoryEntry>& history,
                                          ExcludeRule rule, int32_t numItems);

}  // namespace recscope
