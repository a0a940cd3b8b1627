#include "core/sweep/SweepResults.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "core/export/LeaderboardTable.h"
#include "core/models/Params.h"
#include "core/sweep/SweepRunner.h"

namespace recscope {

namespace {

std::string fixed(double v, int decimals) {
    if (!std::isfinite(v))
        return {};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace

int bestSweepRow(const std::vector<SweepRow>& rows, bool higher) {
    int best = -1;
    for (size_t i = 0; i < rows.size(); ++i) {
        const SweepRow& r = rows[i];
        if (!r.hasRun || r.status != RunStatus::Finished || !std::isfinite(r.value))
            continue;
        if (best < 0 || (higher ? r.value > rows[static_cast<size_t>(best)].value
                                : r.value < rows[static_cast<size_t>(best)].value))
            best = static_cast<int>(i);
    }
    return best;
}

Result<SweepResults> collectSweepResults(const SweepRecord& record,
                                         const std::function<const RunRecord*(int64_t)>& findRun) {
    Result<SweepSpec> spec = sweepSpecOf(record);
    if (!spec)
        return spec.error();
    SweepResults out;
    out.record = record;
    out.spec = std::move(spec).value();
    out.higherIsBetter = higherIsBetter(out.spec.metric);
    for (const SweepDimension& d : out.spec.dimensions)
        out.paramNames.push_back(d.param);
    for (const SweepTrialRecord& t : record.trials) {
        SweepRow row;
        row.trial = t.trial;
        row.params = t.params;
        row.runId = t.runId;
        row.value = std::numeric_limits<double>::quiet_NaN();
        if (const RunRecord* run = t.runId > 0 ? findRun(t.runId) : nullptr) {
            row.hasRun = true;
            row.status = run->status;
            row.trainSeconds = run->trainSeconds;
            const auto it = run->metrics.find(out.spec.metric);
            if (run->status == RunStatus::Finished && it != run->metrics.end())
                row.value = it->second;
        }
        out.rows.push_back(std::move(row));
    }
    out.bestRow = bestSweepRow(out.rows, out.higherIsBetter);
    if (record.testRunId > 0)
        out.testRun = findRun(record.testRunId);
    return out;
}

Table sweepTable(const SweepResults& results, int decimals) {
    Table table;
    table.headers.push_back("trial");
    for (const std::string& p : results.paramNames)
        table.headers.push_back(p);
    table.headers.push_back("val " + results.spec.metric);
    table.headers.push_back("status");
    table.headers.push_back("run");
    table.headers.push_back("train s");
    const size_t metricColumn = 1 + results.paramNames.size();
    table.numeric.assign(table.headers.size(), false);
    table.numeric[0] = true;
    table.numeric[metricColumn] = true;
    table.numeric[metricColumn + 2] = true;
    table.numeric[metricColumn + 3] = true;
    // A parameter column is numeric when every value is a number (factors, lr; not sampler).
    for (size_t p = 0; p < results.paramNames.size(); ++p) {
        bool numbers = !results.rows.empty();
        for (const SweepRow& r : results.rows) {
            const auto it = r.params.find(results.paramNames[p]);
            double v = 0;
            numbers = numbers && it != r.params.end() && parseNumberText(it->second, &v);
        }
        table.numeric[1 + p] = numbers;
    }
    for (size_t i = 0; i < results.rows.size(); ++i) {
        const SweepRow& r = results.rows[i];
        std::vector<std::string> cells = {std::to_string(r.trial + 1)};
        for (const std::string& p : results.paramNames) {
            const auto it = r.params.find(p);
            cells.push_back(it == r.params.end() ? std::string() : it->second);
        }
        cells.push_back(fixed(r.value, decimals));
        cells.push_back(r.hasRun ? runStatusName(r.status) : "pending");
        cells.push_back(r.hasRun ? std::to_string(r.runId) : std::string());
        cells.push_back(r.hasRun && r.status == RunStatus::Finished ? fixed(r.trainSeconds, 1)
                                                                    : std::string());
        std::vector<bool> best(cells.size(), false);
        best[metricColumn] = static_cast<int>(i) == results.bestRow;
        table.rows.push_back(std::move(cells));
        table.best.push_back(std::move(best));
    }
    return table;
}

}  // namespace recscope
