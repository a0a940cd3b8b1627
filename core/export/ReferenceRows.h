#pragma once
// Published figures beside a workspace's runs (the leaderboard's greyed reference rows and
// `recscope-cli export --with-references`): the figures of the catalogue
// (core/eval/PublishedFigures.h) measured under the protocol, data set family and K of at least
// one finished test run, one row per published table and model, in catalogue order.

#include <map>
#include <string>
#include <vector>

#include "core/eval/PublishedFigures.h"
#include "core/export/TableExport.h"
#include "core/workspace/Workspace.h"

namespace recscope {

struct ReferenceRow {
    std::string table;           // the figure table's id ("ncf-loo-ml1m")
    std::string tableTitle;      // figureTableTitle(table)
    std::string name;            // "NeuMF (He et al. 2017)": the published model and source
    std::string model;           // RecScope registry name; "" when RecScope has none
    std::string datasetFamily;   // "ml-1m"
    std::map<std::string, const PublishedFigure*> figures;  // metric key -> figure
};

// The data set family of a run ("ml-100k", ...; "" for the demo and synthetic data).
std::string runDatasetFamily(const RunRecord& run);

// Rows for the finished runs scored on the test part. A figure joins when
// matchingFigures(run's split, negatives, sampler, family, K) returns it for one of the run's
// cut-offs; every model of a matching table is shown (the point is the published neighbours).
std::vector<ReferenceRow> referenceRows(const std::vector<RunRecord>& runs);
// The same for runs held elsewhere (the leaderboard's session), without copying them.
std::vector<ReferenceRow> referenceRows(const std::vector<const RunRecord*>& runs);

// Appends the rows that have a value in one of `table`'s columns named like a metric, after the
// runs (call after the runs' best marks are set: published figures are never marked). The
// "id" column reads "published", "name" the row's name, "model" and "dataset" its model and
// family; other columns stay empty.
void appendReferenceRows(Table& table, const std::vector<ReferenceRow>& rows, int decimals);

// A cell as text: the value with `decimals` decimals, "> 0.650" / "< 0.950" for bounds.
std::string referenceCell(const PublishedFigure& figure, int decimals);

}  // namespace recscope
