#include "core/export/LeaderboardTable.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace recscope {

Table leaderboardTable(const std::vector<RunRecord>& runs, const std::vector<std::string>& metrics,
                       int decimals) {
    Table t;
    t.headers = {"id", "name", "model", "dataset", "exclude", "fit_on"};
    t.numeric = {true, false, false, false, false, false};
    for (const std::string& m : metrics) {
        t.headers.push_back(m);
        t.numeric.push_back(true);
    }
    const size_t fixed = 6;
    t.best.assign(runs.size(), std::vector<bool>(t.headers.size(), false));
    for (const RunRecord& r : runs) {
        std::vector<std::string> row = {std::to_string(r.id),
                                        r.name,
                                        r.config.model,
                                        r.dataset.name,
                                        excludeRuleName(r.config.split.exclude),
                                        r.fitOnTrainAndValidation ? "train+val" : "train"};
        for (const std::string& m : metrics) {
            const auto it = r.metrics.find(m);
            if (it == r.metrics.end() || !std::isfinite(it->second)) {
                row.emplace_back();
                continue;
            }
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.*f", decimals, it->second);
            row.emplace_back(buf);
        }
        t.rows.push_back(std::move(row));
    }
    // Compare the printed values, so two cells that read the same are both marked or neither.
    for (size_t c = 0; c < metrics.size(); ++c) {
        const bool higher = higherIsBetter(metrics[c]);
        double best = NAN;
        for (const auto& row : t.rows) {
            const std::string& cell = row[fixed + c];
            if (cell.empty())
                continue;
            const double v = std::strtod(cell.c_str(), nullptr);
            if (std::isnan(best) || (higher ? v > best : v < best))
                best = v;
        }
        if (std::isnan(best))
            continue;
        for (size_t r = 0; r < t.rows.size(); ++r) {
            const std::string& cell = t.rows[r][fixed + c];
            t.best[r][fixed + c] = !cell.empty() && std::strtod(cell.c_str(), nullptr) == best;
        }
    }
    return t;
}

}  // namespace recscope
