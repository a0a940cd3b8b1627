#include "core/data/DataSource.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/data/HugePages.h"

namespace fs = std::filesystem;

namespace recscope {

FileBuffer::FileBuffer(FileBuffer&& other) noexcept {
    *this = std::move(other);
}

FileBuffer& FileBuffer::operator=(FileBuffer&& other) noexcept {
    if (this != &other) {
        release();
        m_heap = std::move(other.m_heap);
        m_map = other.m_map;
        m_size = other.m_size;
        m_data = m_map ? static_cast<const char*>(m_map) : m_heap.data();
        other.m_map = nullptr;
        other.m_data = nullptr;
        other.m_size = 0;
    }
    return *this;
}

FileBuffer::~FileBuffer() {
    release();
}

void FileBuffer::release() {
    if (m_map)
        munmap(m_map, m_size);
    m_map = nullptr;
    m_heap.clear();
    m_data = nullptr;
    m_size = 0;
}

FileBuffer FileBuffer::fromHeap(std::vector<char> bytes) {
    FileBuffer b;
    b.m_heap = std::move(bytes);
    b.m_size = b.m_heap.size();
    b.m_data = b.m_heap.data();
    return b;
}

FileBuffer FileBuffer::fromMapping(void* map, size_t size) {
    FileBuffer b;
    b.m_map = map;
    b.m_size = size;
    b.m_data = static_cast<const char*>(map);
    return b;
}

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
    if (s.size() < suffix.size())
        return false;
    for (size_t i = 0; i < suffix.size(); ++i) {
        char c = s[s.size() - suffix.size() + i];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c != suffix[i])
            return false;
    }
    return true;
}

std::string zipErrorText(int code) {
    zip_error_t err;
    zip_error_init_with_code(&err, code);
    std::string text = zip_error_strerror(&err);
    zip_error_fini(&err);
    return text;
}

int64_t mtimeNs(const std::string& path, int64_t& size) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        size = -1;
        return 0;
    }
    size = static_cast<int64_t>(st.st_size);
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

}  // namespace

Result<std::unique_ptr<DataSource>> DataSource::open(const std::string& path) {
    std::error_code ec;
    if (path.empty())
        return makeError("no dataset path given");
    if (!fs::exists(path, ec))
        return makeError("no such file or folder", path);
    std::unique_ptr<DataSource> src(new DataSource());
    src->m_path = fs::canonical(path, ec).string();
    if (ec)
        src->m_path = fs::absolute(path, ec).string();

    if (fs::is_directory(src->m_path, ec)) {
        // Files at the top and one folder down, sorted for a stable order.
        std::vector<std::pair<std::string, uint64_t>> found;
        for (const auto& e : fs::directory_iterator(src->m_path, ec)) {
            std::error_code ec2;
            const std::string name = e.path().filename().string();
            if (e.is_regular_file(ec2)) {
                found.emplace_back(name, e.file_size(ec2));
            } else if (e.is_directory(ec2)) {
                for (const auto& sub : fs::directory_iterator(e.path(), ec2)) {
                    std::error_code ec3;
                    if (sub.is_regular_file(ec3))
                        found.emplace_back(name + "/" + sub.path().filename().string(),
                                           sub.file_size(ec3));
                }
            }
        }
        if (ec)
            return makeError("cannot list folder: " + ec.message(), src->m_path);
        std::sort(found.begin(), found.end());
        for (auto& f : found) {
            src->m_entries.push_back(f.first);
            src->m_sizes.push_back(f.second);
        }
        return src;
    }

    if (!endsWith(src->m_path, ".zip"))
        return makeError("not a folder or a .zip archive", src->m_path);
    int code = 0;
    zip_t* za = zip_open(src->m_path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!za)
        return makeError("corrupt or truncated zip archive: " + zipErrorText(code), src->m_path);
    src->m_zip = za;
    const zip_int64_t n = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !st.name)
            continue;
        std::string name = st.name;
        if (name.empty() || name.back() == '/')
            continue;  // folder entries
        if (std::count(name.begin(), name.end(), '/') > 1)
            continue;  // deeper than the official layout
        src->m_entries.push_back(name);
        src->m_sizes.push_back((st.valid & ZIP_STAT_SIZE) ? st.size : 0);
    }
    return src;
}

DataSource::~DataSource() {
    if (m_zip)
        zip_discard(static_cast<zip_t*>(m_zip));
}

bool DataSource::has(const std::string& entry) const {
    return std::find(m_entries.begin(), m_entries.end(), entry) != m_entries.end();
}

uint64_t DataSource::entrySize(const std::string& entry) const {
    auto it = std::find(m_entries.begin(), m_entries.end(), entry);
    return it == m_entries.end() ? 0 : m_sizes[static_cast<size_t>(it - m_entries.begin())];
}

std::string DataSource::displayName(const std::string& entry) const {
    if (m_zip)
        return m_path + ":" + entry;
    return m_path + "/" + entry;
}

Result<FileBuffer> DataSource::read(const std::string& entry) const {
    const std::string name = displayName(entry);
    if (!m_zip) {
        const std::string file = m_path + "/" + entry;
        const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return makeError(ErrorCode::Io, std::string("cannot open: ") + std::strerror(errno),
                             name);
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            ::close(fd);
            return makeError(std::string("cannot stat: ") + std::strerror(errno), name);
        }
        const auto size = static_cast<uint64_t>(st.st_size);
        if (size > kMaxEntryBytes) {
            ::close(fd);
            return makeError("file too large (" + std::to_string(size) +
                                 " bytes): at most 4 GiB per file is accepted",
                             name);
        }
        if (size == 0) {
            ::close(fd);
            return FileBuffer::fromHeap({});
        }
        void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        ::close(fd);
        if (map == MAP_FAILED)
            return makeError(std::string("cannot map: ") + std::strerror(errno), name);
        ::madvise(map, size, MADV_SEQUENTIAL);
        return FileBuffer::fromMapping(map, size);
    }

    auto* za = static_cast<zip_t*>(m_zip);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(za, entry.c_str(), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return makeError("entry missing from the archive", name);
    if (st.size > kMaxEntryBytes)
        return makeError("entry too large (" + std::to_string(st.size) +
                             " bytes uncompressed): at most 4 GiB per entry is accepted",
                         name);
    // The buffer is allocated from the declared size before inflating, so a header that lies
    // (a zip bomb, or corruption) must be caught here: deflate cannot exceed about 1032:1, and
    // a stored entry's two sizes are equal.
    if ((st.valid & ZIP_STAT_COMP_SIZE) && (st.valid & ZIP_STAT_COMP_METHOD)) {
        const uint64_t packed = std::max<uint64_t>(st.comp_size, 1);
        if (st.comp_method == ZIP_CM_STORE && st.comp_size != st.size)
            return makeError("corrupt entry: stored with " + std::to_string(st.comp_size) +
                                 " bytes but declares " + std::to_string(st.size),
                             name);
        if (st.comp_method == ZIP_CM_DEFLATE && st.size > (uint64_t(64) << 20) &&
            st.size / packed > 1100)
            return makeError("implausible compression ratio (" + std::to_string(st.size / packed) +
                                 ":1, " + std::to_string(st.size) +
                                 " bytes declared): a zip bomb or a corrupt archive",
                             name);
    }
    zip_file_t* zf = zip_fopen(za, entry.c_str(), 0);
    if (!zf)
        return makeError(ErrorCode::Io, std::string("cannot open entry: ") + zip_strerror(za),
                         name);
    std::vector<char> bytes;
    resizeHuge(bytes, static_cast<size_t>(st.size));
    zip_uint64_t got = 0;
    while (got < st.size) {
        const zip_int64_t n = zip_fread(zf, bytes.data() + got, st.size - got);
        if (n < 0) {
            std::string why = zip_file_strerror(zf);
            zip_fclose(zf);
            return makeError("corrupt zip entry: " + why, name);
        }
        if (n == 0)
            break;
        got += static_cast<zip_uint64_t>(n);
    }
    // A further read must hit the end; it also makes libzip verify the CRC.
    char extra = 0;
    const zip_int64_t tail = zip_fread(zf, &extra, 1);
    std::string why = tail < 0 ? zip_file_strerror(zf) : std::string();
    zip_fclose(zf);
    if (got != st.size || tail != 0)
        return makeError("corrupt or truncated zip entry" + (why.empty() ? "" : ": " + why) +
                             " (expected " + std::to_string(st.size) + " bytes)",
                         name);
    return FileBuffer::fromHeap(std::move(bytes));
}

std::string DataSource::fingerprint(const std::vector<std::string>& entries) const {
    std::string out;
    auto add = [&out](const std::string& file) {
        int64_t size = 0;
        const int64_t mt = mtimeNs(file, size);
        out += file + "|" + std::to_string(size) + "|" + std::to_string(mt) + "\n";
    };
    if (m_zip) {
        add(m_path);
        for (const auto& e : entries)
            out += "entry|" + e + "\n";
    } else {
        for (const auto& e : entries)
            add(m_path + "/" + e);
    }
    return out;
}

}  // namespace recscope
