#include "core/data/ArchiveExtractor.h"

#include <zip.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "core/data/DataSource.h"

namespace recscope {

namespace fs = std::filesystem;

namespace {

struct Entry {
    zip_uint64_t index = 0;
    std::string name;  // as stored
    std::string path;  // relative output path (top folder dropped when shared)
    uint64_t size = 0;
};

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
    void operator()(zip_file_t* f) const { zip_fclose(f); }
};

bool safeName(const std::string& name) {
    if (name.empty() || name.front() == '/' || name.find('\\') != std::string::npos ||
        name.find('\0') != std::string::npos)
        return false;
    if (std::count(name.begin(), name.end(), '/') > 1)
        return false;
    size_t start = 0;
    while (start <= name.size()) {
        const size_t slash = name.find('/', start);
        const std::string part =
            name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part.empty() || part == "." || part == "..")
            return false;
        if (slash == std::string::npos)
            break;
        start = slash + 1;
    }
    return true;
}

// The single folder every entry sits in, or "" when there is none.
std::string sharedTopFolder(const std::vector<Entry>& entries) {
    std::string top;
    for (const Entry& e : entries) {
        const size_t slash = e.name.find('/');
        if (slash == std::string::npos)
            return {};
        const std::string folder = e.name.substr(0, slash);
        if (top.empty())
            top = folder;
        else if (folder != top)
            return {};
    }
    return top;
}

Status fail(const std::string& message, const std::string& file) {
    return Status(makeError(message, file));
}

Status extractInto(zip_t* zip, const std::vector<Entry>& entries, const std::string& zipPath,
                   const fs::path& partial, const ProgressFn& progress, const CancelToken* cancel) {
    uint64_t total = 0;
    for (const Entry& e : entries)
        total += e.size;
    uint64_t done = 0;
    std::vector<char> buffer(size_t(1) << 20);
    for (const Entry& e : entries) {
        const std::string display = zipPath + ":" + e.name;
        const fs::path out = partial / e.path;
        std::error_code ec;
        fs::create_directories(out.parent_path(), ec);
        if (ec)
            return fail("cannot create folder " + out.parent_path().string() + ": " + ec.message(),
                        display);
        std::unique_ptr<zip_file_t, ZipFileCloser> in(zip_fopen_index(zip, e.index, 0));
        if (!in)
            return fail(std::string("cannot read entry: ") + zip_strerror(zip), display);
        std::ofstream file(out, std::ios::binary | std::ios::trunc);
        if (!file)
            return fail("cannot write " + out.string(), display);
        uint64_t written = 0;
        for (;;) {
            if (isCancelled(cancel))
                return Status(cancelledError());
            const zip_int64_t n = zip_fread(in.get(), buffer.data(), buffer.size());
            if (n < 0)
                return fail(std::string("damaged entry: ") + zip_file_strerror(in.get()), display);
            if (n == 0)
                break;
            written += static_cast<uint64_t>(n);
            if (written > e.size || written > DataSource::kMaxEntryBytes)
                return fail("entry inflates beyond its declared size of " + std::to_string(e.size) +
                                " bytes",
                            display);
            file.write(buffer.data(), n);
            if (!file)
                return fail("cannot write " + out.string() + " (disk full?)", display);
            done += static_cast<uint64_t>(n);
            if (progress && total > 0)
                report(progress, "Unpacking", double(done) / double(total));
        }
        file.close();
        if (!file)
            return fail("cannot write " + out.string() + " (disk full?)", display);
        if (written != e.size)
            return fail("entry has " + std::to_string(written) + " bytes, the archive declares " +
                            std::to_string(e.size),
                        display);
    }
    return {};
}

}  // namespace

Status extractArchive(const std::string& zipPath, const std::string& destination,
                      const ProgressFn& progress, const CancelToken* cancel) {
    std::error_code ec;
    if (fs::exists(destination, ec))
        return fail("the folder to unpack into already exists", destination);
    int code = 0;
    std::unique_ptr<zip_t, ZipCloser> zip(
        zip_open(zipPath.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
    if (!zip) {
        zip_error_t error;
        zip_error_init_with_code(&error, code);
        const std::string text = zip_error_strerror(&error);
        zip_error_fini(&error);
        return fail("corrupt or truncated zip archive: " + text, zipPath);
    }

    std::vector<Entry> entries;
    const zip_int64_t n = zip_get_num_entries(zip.get(), 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(zip.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0 || !st.name)
            return fail("cannot read the entry list: " + std::string(zip_strerror(zip.get())),
                        zipPath);
        std::string name = st.name;
        if (!name.empty() && name.back() == '/')
            continue;  // folder entries: folders are created as files need them
        if (!safeName(name))
            return fail("refusing the entry \"" + name +
                            "\": names must be relative, without \"..\", at most one folder deep",
                        zipPath);
        if (!(st.valid & ZIP_STAT_SIZE))
            return fail("entry \"" + name + "\" has no declared size", zipPath);
        if (st.size > DataSource::kMaxEntryBytes)
            return fail("entry \"" + name + "\" is larger than 4 GiB", zipPath);
        entries.push_back({static_cast<zip_uint64_t>(i), name, name, st.size});
    }
    if (entries.empty())
        return fail("the archive holds no files", zipPath);
    const std::string top = sharedTopFolder(entries);
    if (!top.empty()) {
        for (Entry& e : entries)
            e.path = e.name.substr(top.size() + 1);
    }

    const fs::path partial = destination + ".partial";
    fs::remove_all(partial, ec);  // a leftover from a crash
    fs::create_directories(partial, ec);
    if (ec)
        return fail("cannot create folder: " + ec.message(), partial.string());

    Status status = extractInto(zip.get(), entries, zipPath, partial, progress, cancel);
    if (status.ok()) {
        fs::rename(partial, destination, ec);
        if (ec)
            status = fail("cannot rename " + partial.string() + ": " + ec.message(), destination);
    }
    if (!status.ok()) {
        std::error_code ignored;
        fs::remove_all(partial, ignored);
    }
    return status;
}

}  // namespace recscope
