#include "core/nn/PipelineFile.h"

#include <cstdio>

namespace recscope {

namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

Status writePipelineFile(const std::string& file, const PipelineFile& contents) {
    FILE* f = std::fopen(file.c_str(), "w");
    if (!f)
        return makeError("cannot write", file);
    for (const auto& [k, v] : contents.params)
        std::fprintf(f, "param %s=%s\n", k.c_str(), v.c_str());
    std::fprintf(f, "exclude %s\n", excludeRuleName(contents.exclude).c_str());
    std::fprintf(f, "seen %d %d\n", contents.seen.rows, contents.seen.cols);
    for (int32_t u = 0; u < contents.seen.rows; ++u) {
        std::fprintf(f, "%lld", static_cast<long long>(contents.seen.rowSize(u)));
        for (int64_t k = contents.seen.offsets[u]; k < contents.seen.offsets[u + 1]; ++k)
            std::fprintf(f, " %d", contents.seen.indices[static_cast<size_t>(k)]);
        std::fprintf(f, "\n");
    }
    std::fprintf(f, "latest %zu\n", contents.latest.size());
    for (const auto& l : contents.latest) {
        std::fprintf(f, "%zu", l.size());
        for (int32_t i : l)
            std::fprintf(f, " %d", i);
        std::fprintf(f, "\n");
    }
    std::fprintf(f, "genres %zu\n", contents.genres.size());
    for (uint32_t g : contents.genres)
        std::fprintf(f, "%u\n", g);
    const bool ok = std::fclose(f) == 0;
    return ok ? Status() : Status(makeError("write failed", file));
}

Result<PipelineFile> readPipelineFile(const std::string& file) {
    FILE* f = std::fopen(file.c_str(), "r");
    if (!f)
        return makeError("cannot open (expected a pipeline folder)", file);
    PipelineFile out;
    std::map<std::string, std::string>& overrides = out.params;
    char buf[4096];
    int64_t line = 0;
    CsrMatrix& seen = out.seen;
    std::vector<std::vector<int32_t>>& latest = out.latest;
    std::vector<uint32_t>& genres = out.genres;
    bool sawSeen = false;
    auto fail = [&](const std::string& what) {
        std::fclose(f);
        return makeError(ErrorCode::BadInput, what, file, line);
    };
    while (std::fgets(buf, sizeof buf, f)) {
        ++line;
        std::string s(buf);
        if (s.find_first_not_of(" \t\r\n") == std::string::npos)
            continue;
        if (startsWith(s, "param ")) {
            const auto eq = s.find('=');
            if (eq == std::string::npos)
                return fail("expected 'param name=value'");
            overrides[s.substr(6, eq - 6)] = s.substr(eq + 1, s.find_last_not_of("\r\n") - eq);
        } else if (startsWith(s, "exclude ")) {
            const auto rule = parseExcludeRule(s.substr(8, s.find_last_not_of("\r\n") - 7));
            if (!rule)
                return fail("expected 'exclude positives' or 'exclude rated'");
            out.exclude = *rule;
        } else if (startsWith(s, "seen ")) {
            if (std::sscanf(buf, "seen %d %d", &seen.rows, &seen.cols) != 2 || seen.rows < 0 ||
                seen.cols < 0 || sawSeen)
                return fail("expected one 'seen <rows> <cols>'");
            sawSeen = true;
            for (int32_t u = 0; u < seen.rows; ++u) {
                long long len = 0;
                if (std::fscanf(f, "%lld", &len) != 1 || len < 0)
                    return fail("expected a seen-row length");
                for (long long k = 0; k < len; ++k) {
                    int item = 0;
                    if (std::fscanf(f, "%d", &item) != 1)
                        return fail("expected a seen item id");
                    seen.indices.push_back(item);
                }
                seen.offsets.push_back(static_cast<int64_t>(seen.indices.size()));
            }
            ++line;
        } else if (startsWith(s, "latest ")) {
            size_t rows = 0;
            if (std::sscanf(buf, "latest %zu", &rows) != 1 || rows > (size_t{1} << 30))
                return fail("expected 'latest <rows>'");
            latest.assign(rows, {});
            for (auto& l : latest) {
                long long len = 0;
                if (std::fscanf(f, "%lld", &len) != 1 || len < 0 || len > 1000000)
                    return fail("expected a latest-row length");
                for (long long k = 0; k < len; ++k) {
                    int item = 0;
                    if (std::fscanf(f, "%d", &item) != 1)
                        return fail("expected a latest item id");
                    l.push_back(item);
                }
            }
            ++line;
        } else if (startsWith(s, "genres ")) {
            size_t count = 0;
            if (std::sscanf(buf, "genres %zu", &count) != 1)
                return fail("expected 'genres <count>'");
            for (size_t k = 0; k < count; ++k) {
                unsigned g = 0;
                if (std::fscanf(f, "%u", &g) != 1)
                    return fail("expected a genre mask");
                genres.push_back(g);
            }
        } else {
            return fail("unexpected line: not part of a pipeline file");
        }
    }
    if (!sawSeen)
        return fail("not a pipeline file (no 'seen' section)");
    std::fclose(f);
    return out;
}

}  // namespace recscope
