// A workspace copied from another machine (issue 18): every column the workspace reads back as
// JSON or as a binary vector. The input is split at "\n####\n" into, in order, a run's status,
// config, dataset, params, metrics and stages columns, an epoch's validation column, the per-user
// user list and one per-user metric vector (both raw bytes), and a sweep's dataset, spec and one
// trial's params. They replace the values of a real workspace (one finished run with epochs and
// per-user metrics, one sweep) before Workspace and SweepStore read it back the way the GUI does.
// A damaged value must be refused with a message or read back consistently; never a crash.
// RECSCOPE_FUZZ_SEEDS=DIR writes the pristine values as a seed (see writeSeed).

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/run/Experiment.h"
#include "core/sweep/SweepSpec.h"
#include "core/workspace/SweepStore.h"
#include "core/workspace/Workspace.h"
#include "fuzz/FuzzSupport.h"

using namespace recscope;
namespace fs = std::filesystem;

namespace {

// The pristine workspace, made once: a finished "pop" run with two epochs and per-user
// metrics, and a sweep with one trial linked to it.
const fs::path& pristine() {
    static const fs::path dir = [] {
        const fs::path d =
            fuzz::scratchDir().parent_path() / ("recscope-fuzz-ws-" + std::to_string(::getpid()));
        fs::remove_all(d);
        auto ws = Workspace::open(d.string());
        if (!ws)
            std::abort();
        RunRecord record;
        record.config.model = "pop";
        record.config.dataset = "demo";
        record.dataset.name = "demo";
        record.dataset.users = 3;
        record.dataset.items = 4;
        record.dataset.ratings = 9;
        record.dataset.fingerprint = "abc";
        Result<int64_t> id = ws.value()->createRun(record);
        if (!id)
            std::abort();
        for (int e = 1; e <= 2; ++e) {
            EpochReport epoch;
            epoch.epoch = e;
            epoch.trainLoss = 1.0 / e;
            epoch.validation["ndcg@10"] = 0.1 * e;
            if (!ws.value()->appendEpoch(id.value(), epoch))
                std::abort();
        }
        RunOutcome outcome;
        outcome.params["x"] = "1";
        PerUserMetrics perUser;
        perUser.users = {0, 2};
        perUser.values["recall@10"] = {0.5f, 0.0f};
        outcome.test = evalResultOf(perUser);
        outcome.test.metrics["recall@10"] = 0.25;
        if (!ws.value()->finishRun(id.value(), outcome))
            std::abort();
        SweepStore sweeps(*ws.value());
        SweepRecord sweep;
        sweep.name = "s";
        sweep.spec = sweepSpecToJson(SweepSpec{}).dump();
        sweep.dataset = record.dataset;
        Result<int64_t> sweepId = sweeps.createSweep(sweep);
        if (!sweepId)
            std::abort();
        SweepTrialRecord trial;
        trial.trial = 0;
        trial.params["x"] = "1";
        trial.runId = id.value();
        if (!sweeps.setTrialRun(sweepId.value(), trial))
            std::abort();
        return d;
    }();
    return dir;
}

std::vector<std::string_view> fields(std::string_view text, size_t count) {
    static constexpr std::string_view kSep = "\n####\n";
    std::vector<std::string_view> out;
    while (out.size() + 1 < count) {
        const size_t at = text.find(kSep);
        if (at == std::string_view::npos)
            break;
        out.push_back(text.substr(0, at));
        text = text.substr(at + kSep.size());
    }
    out.push_back(text);
    return out;
}

void exec(sqlite3* db, const char* sql, std::string_view value, bool blob) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK)
        std::abort();
    if (blob)
        sqlite3_bind_blob64(stmt, 1, value.data(), value.size(), SQLITE_TRANSIENT);
    else
        sqlite3_bind_text64(stmt, 1, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    sqlite3_step(stmt);  // a constraint may refuse a value: the row keeps its old one
    sqlite3_finalize(stmt);
}

// RECSCOPE_FUZZ_SEEDS=DIR: the pristine workspace's own values, joined as an input, become
// DIR/seed-workspace (run-fuzzers.sh seeds the corpus with it).
void writeSeed(const char* seedDir) {
    const char* selects[] = {
        "SELECT status FROM runs",
        "SELECT config FROM runs",
        "SELECT dataset FROM runs",
        "SELECT params FROM runs",
        "SELECT metrics FROM runs",
        "SELECT stages FROM runs",
        "SELECT validation FROM epochs WHERE epoch = 2",
        "SELECT users FROM per_user_users",
        "SELECT data FROM per_user",
        "SELECT dataset FROM sweeps",
        "SELECT spec FROM sweeps",
        "SELECT params FROM sweep_trials",
    };
    sqlite3* db = nullptr;
    if (sqlite3_open((pristine() / Workspace::databaseFile()).c_str(), &db) != SQLITE_OK)
        std::abort();
    std::string seed;
    for (size_t i = 0; i < sizeof selects / sizeof selects[0]; ++i) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v2(db, selects[i], -1, &stmt, nullptr) != SQLITE_OK ||
            sqlite3_step(stmt) != SQLITE_ROW)
            std::abort();
        const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, 0));
        seed += (i ? "\n####\n" : "") +
                std::string(bytes ? bytes : "", size_t(sqlite3_column_bytes(stmt, 0)));
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    fuzz::writeFile(fs::path(seedDir) / "seed-workspace",
                    reinterpret_cast<const uint8_t*>(seed.data()), seed.size());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    pristine();
    if (const char* seedDir = std::getenv("RECSCOPE_FUZZ_SEEDS"))
        writeSeed(seedDir);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::clearScratch();
    const fs::path dir = fuzz::scratchDir() / "ws";
    fs::create_directories(dir);
    fs::copy_file(pristine() / Workspace::databaseFile(), dir / Workspace::databaseFile());

    const char* updates[] = {
        "UPDATE runs SET status = ?1",
        "UPDATE runs SET config = ?1",
        "UPDATE runs SET dataset = ?1",
        "UPDATE runs SET params = ?1",
        "UPDATE runs SET metrics = ?1",
        "UPDATE runs SET stages = ?1",
        "UPDATE epochs SET validation = ?1 WHERE epoch = 2",
        "UPDATE per_user_users SET users = ?1",
        "UPDATE per_user SET data = ?1",
        "UPDATE sweeps SET dataset = ?1",
        "UPDATE sweeps SET spec = ?1",
        "UPDATE sweep_trials SET params = ?1",
    };
    constexpr size_t kFields = sizeof updates / sizeof updates[0];
    const std::vector<std::string_view> values =
        fields(std::string_view(reinterpret_cast<const char*>(data), size), kFields);
    {
        sqlite3* db = nullptr;
        if (sqlite3_open((dir / Workspace::databaseFile()).c_str(), &db) != SQLITE_OK)
            std::abort();
        for (size_t i = 0; i < values.size(); ++i)
            exec(db, updates[i], values[i], i == 7 || i == 8);
        sqlite3_close(db);
    }

    Result<std::unique_ptr<Workspace>> ws = Workspace::open(dir.string());
    if (!ws) {
        if (ws.error().message.empty())
            std::abort();
        return 0;
    }
    const Result<std::vector<RunRecord>> runs = ws.value()->runs();
    if (runs) {
        for (const RunRecord& r : runs.value()) {
            const Result<RunRecord> one = ws.value()->run(r.id);
            if (!one || one->epochs.size() != r.epochs.size())
                std::abort();  // the list and the single read disagree
            const Result<PerUserMetrics> perUser = ws.value()->perUser(r.id);
            if (perUser)
                for (const auto& [metric, v] : perUser.value().values)
                    if (v.size() != perUser->users.size())
                        std::abort();
            (void)ws.value()->absoluteCheckpoint(r);
        }
    } else if (runs.error().message.empty()) {
        std::abort();
    }
    SweepStore store(*ws.value());
    const Result<std::vector<SweepRecord>> sweeps = store.sweeps();
    if (sweeps) {
        for (const SweepRecord& s : sweeps.value()) {
            const nlohmann::json spec = nlohmann::json::parse(s.spec, nullptr, false);
            if (!spec.is_discarded())
                (void)sweepSpecFromJson(spec);
        }
    }
    return 0;
}
