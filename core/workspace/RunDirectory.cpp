#include "core/workspace/RunDirectory.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/workspace/RunRecordJson.h"

namespace fs = std::filesystem;

namespace recscope {

namespace {

// A run folder comes from someone else: every file it names must lie inside it. `name` (from
// run.json) is refused when absolute, when it climbs out with "..", and when it or anything on
// the way to it or inside it (a folder checkpoint) is a symbolic link or not a plain file or
// folder, so that importing never reads, copies or reveals a file outside the folder.
Result<fs::path> insideRunFolder(const fs::path& root, const std::string& name,
                                 const fs::path& namedIn) {
    const fs::path relative(name);
    if (relative.is_absolute())
        return makeError(ErrorCode::BadInput,
                         "names a file outside the run folder (an absolute path: " + name + ")",
                         namedIn.string());
    for (const fs::path& part : relative)
        if (part == "..")
            return makeError(ErrorCode::BadInput,
                             "names a file outside the run folder ('..' in " + name + ")",
                             namedIn.string());
    std::error_code ec;
    fs::path at = root;
    fs::file_status st = fs::symlink_status(at, ec);
    for (const fs::path& part : relative.lexically_normal()) {
        if (part.empty() || part == ".")
            continue;
        at /= part;
        st = fs::symlink_status(at, ec);
        if (ec || !fs::exists(st))
            return makeError(ErrorCode::BadInput, "run.json names a checkpoint that is missing",
                             at.string());
        if (fs::is_symlink(st))
            return makeError(ErrorCode::BadInput,
                             "is a symbolic link: a run folder must hold its own files",
                             at.string());
    }
    if (fs::is_directory(st)) {
        for (auto it = fs::recursive_directory_iterator(at, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            const fs::file_status inner = it->symlink_status(ec);
            if (fs::is_symlink(inner) || !(fs::is_regular_file(inner) || fs::is_directory(inner)))
                return makeError(ErrorCode::BadInput,
                                 "is a symbolic link or a special file: a run folder must hold "
                                 "its own plain files",
                                 it->path().string());
        }
        if (ec)
            return makeError(ErrorCode::Io, "cannot list: " + ec.message(), at.string());
    } else if (!fs::is_regular_file(st)) {
        return makeError(ErrorCode::BadInput, "is not a plain file", at.string());
    }
    return at;
}

// run.json and per_user.csv themselves: plain files inside the folder, not links.
Status plainFileOrAbsent(const fs::path& file) {
    std::error_code ec;
    const fs::file_status st = fs::symlink_status(file, ec);
    if (!fs::exists(st))
        return {};
    if (fs::is_symlink(st))
        return makeError(ErrorCode::BadInput,
                         "is a symbolic link: a run folder must hold its own files", file.string());
    if (!fs::is_regular_file(st))
        return makeError(ErrorCode::BadInput, "is not a plain file", file.string());
    return {};
}

std::string tempName(const fs::path& target) {
    return target.string() + ".tmp-" + std::to_string(::getpid());
}

Status writeFileAtomically(const fs::path& target, const std::string& text) {
    const std::string temp = tempName(target);
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) {
            std::error_code ec;
            fs::remove(temp, ec);
            return makeError("cannot write", target.string());
        }
    }
    std::error_code ec;
    fs::rename(temp, target, ec);
    if (ec) {
        fs::remove(temp, ec);
        return makeError("cannot rename into place: " + ec.message(), target.string());
    }
    return {};
}

// Shortest text that reads back to the same float.
std::string floatText(float v) {
    if (std::isnan(v))
        return "nan";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    return buf;
}

Result<PerUserMetrics> readPerUserCsv(const fs::path& path) {
    PerUserMetrics p;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return makeError(ErrorCode::Io, "cannot open", path.string());
    std::string line;
    if (!std::getline(in, line))
        return makeError("empty file; expected a header 'user,<metric>,...'", path.string(), 1);
    std::vector<std::string> names;
    {
        std::stringstream header(line);
        std::string cell;
        while (std::getline(header, cell, ','))
            names.push_back(cell);
    }
    if (names.empty() || names[0] != "user")
        return makeError("expected a header starting with 'user'", path.string(), 1);
    for (size_t c = 1; c < names.size(); ++c)
        p.values[names[c]];
    int64_t lineNo = 1;
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.empty())
            continue;
        std::stringstream row(line);
        std::string cell;
        size_t column = 0;
        while (std::getline(row, cell, ',')) {
            if (column >= names.size())
                return makeError("more cells than header columns", path.string(), lineNo);
            char* end = nullptr;
            if (column == 0) {
                const long long u = std::strtoll(cell.c_str(), &end, 10);
                if (cell.empty() || *end != '\0' || u < 0 || u > INT32_MAX)
                    return makeError("expected a user id, got '" + cell + "'", path.string(),
                                     lineNo);
                if (!p.users.empty() && u <= p.users.back())
                    return makeError("user ids must be ascending", path.string(), lineNo);
                p.users.push_back(static_cast<int32_t>(u));
            } else {
                const float v = cell == "nan" ? std::numeric_limits<float>::quiet_NaN()
                                              : std::strtof(cell.c_str(), &end);
                if (cell != "nan" && (cell.empty() || *end != '\0'))
                    return makeError(
                        "expected a number for '" + names[column] + "', got '" + cell + "'",
                        path.string(), lineNo);
                p.values[names[column]].push_back(v);
            }
            ++column;
        }
        if (column != names.size())
            return makeError("expected " + std::to_string(names.size()) + " cells, got " +
                                 std::to_string(column),
                             path.string(), lineNo);
    }
    return p;
}

}  // namespace

Status writeRunDirectory(const std::string& dir, const RunRecord& record,
                         const PerUserMetrics& perUser, const Recommender* model) {
    const fs::path root(dir);
    std::error_code ec;
    if (fs::exists(root, ec) && !fs::is_directory(root, ec))
        return makeError("not a folder", dir);
    fs::create_directories(root, ec);
    if (ec)
        return makeError("cannot create the run folder: " + ec.message(), dir);
    // run.json goes first and comes back last: until then the folder reads as incomplete.
    fs::remove(root / "run.json", ec);

    std::ostringstream csv;
    csv << "user";
    for (const auto& [name, values] : perUser.values)
        csv << "," << name;
    csv << "\n";
    for (size_t i = 0; i < perUser.users.size(); ++i) {
        csv << perUser.users[i];
        for (const auto& [name, values] : perUser.values)
            csv << "," << (i < values.size() ? floatText(values[i]) : "nan");
        csv << "\n";
    }
    if (Status s = writeFileAtomically(root / "per_user.csv", csv.str()); !s)
        return s;

    nlohmann::json json = runRecordToJson(record);
    json["checkpoint"] = "";
    if (model) {
        const fs::path target = root / "model.bin";
        const fs::path temp = tempName(target);
        fs::remove_all(temp, ec);
        if (Status s = model->save(temp.string()); !s) {
            fs::remove_all(temp, ec);
            return s;
        }
        fs::remove_all(target, ec);
        fs::rename(temp, target, ec);
        if (ec)
            return makeError("cannot rename into place: " + ec.message(), target.string());
        json["checkpoint"] = "model.bin";
    } else {
        fs::remove_all(root / "model.bin", ec);
    }
    return writeFileAtomically(root / "run.json", json.dump(2) + "\n");
}

Result<RunDirectoryContents> readRunDirectory(const std::string& dir) {
    const fs::path root(dir);
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        return makeError("not a run folder (no such folder)", dir);
    const fs::path jsonPath = root / "run.json";
    if (!fs::exists(fs::symlink_status(jsonPath, ec)))
        return makeError("no run.json: not a run folder, or an incomplete one", dir);
    for (const char* own : {"run.json", "per_user.csv"})
        if (Status s = plainFileOrAbsent(root / own); !s)
            return s.error();
    std::ifstream in(jsonPath, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::parse_error& e) {
        // The parser reports a byte offset; turn it into a line for the message.
        const std::string s = text.str();
        const size_t upTo = std::min(s.size(), static_cast<size_t>(e.byte));
        const int64_t line = 1 + std::count(s.begin(), s.begin() + static_cast<long>(upTo), '\n');
        return makeError(ErrorCode::BadInput, "malformed JSON", jsonPath.string(), line);
    } catch (const nlohmann::json::exception& e) {
        // A value the parser cannot hold (a number like 1e99999: out_of_range). Found by
        // fuzz_runfolder; it used to escape as an exception and end the program.
        std::string what = e.what();
        const size_t bracket = what.find("] ");
        if (bracket != std::string::npos)
            what = what.substr(bracket + 2);
        return makeError(ErrorCode::BadInput, "malformed JSON: " + what, jsonPath.string());
    }
    Result<RunRecord> record = runRecordFromJson(json);
    if (!record)
        return makeError(record.error().message, jsonPath.string());
    RunDirectoryContents out;
    out.record = std::move(record).value();
    out.record.id = 0;
    const auto cp = json.find("checkpoint");
    if (cp != json.end() && !cp->is_null() && !cp->is_string())
        return makeError(ErrorCode::BadInput, "'checkpoint' must be a file name",
                         jsonPath.string());
    if (cp != json.end() && cp->is_string() && !cp->get<std::string>().empty()) {
        Result<fs::path> model = insideRunFolder(root, cp->get<std::string>(), jsonPath);
        if (!model)
            return model.error();
        out.checkpoint = fs::absolute(model.value(), ec).lexically_normal().string();
    }
    const fs::path csv = root / "per_user.csv";
    if (fs::exists(csv, ec)) {
        Result<PerUserMetrics> p = readPerUserCsv(csv);
        if (!p)
            return p.error();
        out.perUser = std::move(p).value();
    }
    return out;
}

}  // namespace recscope
