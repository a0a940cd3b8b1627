#pragma once
// JSON forms of the workspace records, shared by the database (JSON columns) and run.json.
// Non-finite numbers are written as null and read back as NaN. Readers reject missing or
// ill-typed fields with a message naming them.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/common/Status.h"
#include "core/workspace/Workspace.h"

namespace recscope {

nlohmann::json metricsToJson(const std::map<std::string, double>& metrics);
Result<std::map<std::string, double>> metricsFromJson(const nlohmann::json& json,
                                                      const std::string& field);

nlohmann::json datasetIdentityToJson(const DatasetIdentity& identity);
Result<DatasetIdentity> datasetIdentityFromJson(const nlohmann::json& json);

nlohmann::json epochToJson(const EpochReport& epoch);
Result<EpochReport> epochFromJson(const nlohmann::json& json);

// The whole record except its id (run.json). "format": "recscope-run", "version": 1.
nlohmann::json runRecordToJson(const RunRecord& record);
Result<RunRecord> runRecordFromJson(const nlohmann::json& json);

}  // namespace recscope
