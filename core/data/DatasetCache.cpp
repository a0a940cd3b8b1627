#include "core/data/DatasetCache.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <type_traits>
#include <vector>

#include "core/data/HugePages.h"

namespace fs = std::filesystem;

namespace recscope {

namespace {

constexpr char kMagic[8] = {'R', 'S', 'D', 'C', 'A', 'C', 'H', 'E'};
constexpr uint32_t kByteOrder = 0x01020304;

// Fast non-cryptographic checksum (4 independent multiply lanes, so it runs near memory speed).
uint64_t hashBytes(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    const uint64_t k = 0x9E3779B97F4A7C15ULL;
    uint64_t a[4] = {n, 0x1234567ULL, 0xABCDEF01ULL, 0x0F1E2D3CULL};
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        uint64_t w[4];
        std::memcpy(w, p + i, 32);
        for (int l = 0; l < 4; ++l)
            a[l] = (a[l] ^ w[l]) * k + (a[l] >> 29);
    }
    uint64_t h = a[0] ^ (a[1] * 3) ^ (a[2] * 5) ^ (a[3] * 7);
    for (; i < n; ++i)
        h = (h ^ p[i]) * 0x100000001B3ULL;
    return h;
}

class Writer {
public:
    explicit Writer(std::FILE* f) : m_f(f) {}
    void raw(const void* p, size_t n) {
        if (n && std::fwrite(p, 1, n, m_f) != n)
            m_ok = false;
        m_sum = (m_sum ^ hashBytes(p, n)) * 0x9E3779B97F4A7C15ULL + n;
        m_bytes += n;
    }
    template <typename T>
    void pod(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        raw(&v, sizeof(T));
    }
    template <typename T>
    void vec(const std::vector<T>& v) {
        pod(static_cast<uint64_t>(v.size()));
        raw(v.data(), v.size() * sizeof(T));
    }
    void str(const std::string& s) {
        pod(static_cast<uint64_t>(s.size()));
        raw(s.data(), s.size());
    }
    void strings(const std::vector<std::string>& v) {
        std::vector<uint32_t> lens;
        std::string all;
        lens.reserve(v.size());
        for (const auto& s : v) {
            lens.push_back(static_cast<uint32_t>(s.size()));
            all += s;
        }
        vec(lens);
        str(all);
    }
    bool ok() const { return m_ok; }
    uint64_t sum() const { return m_sum; }
    uint64_t bytes() const { return m_bytes; }

private:
    std::FILE* m_f;
    bool m_ok = true;
    uint64_t m_sum = 0;
    uint64_t m_bytes = 0;
};

class Reader {
public:
    Reader(std::FILE* f, uint64_t remaining) : m_f(f), m_left(remaining) {}
    bool raw(void* p, size_t n) {
        if (!m_ok || n > m_left || (n && std::fread(p, 1, n, m_f) != n))
            return m_ok = false;
        m_left -= n;
        m_sum = (m_sum ^ hashBytes(p, n)) * 0x9E3779B97F4A7C15ULL + n;
        return true;
    }
    template <typename T>
    bool pod(T& v) {
        return raw(&v, sizeof(T));
    }
    template <typename T>
    bool vec(std::vector<T>& v) {
        uint64_t n = 0;
        if (!pod(n) || n > m_left / sizeof(T))
            return m_ok = false;  // a corrupt length must not trigger a huge allocation
        v.clear();
        resizeHuge(v, static_cast<size_t>(n));
        return raw(v.data(), v.size() * sizeof(T));
    }
    bool str(std::string& s) {
        uint64_t n = 0;
        if (!pod(n) || n > m_left)
            return m_ok = false;
        s.resize(static_cast<size_t>(n));
        return raw(s.data(), s.size());
    }
    bool strings(std::vector<std::string>& v) {
        std::vector<uint32_t> lens;
        std::string all;
        if (!vec(lens) || !str(all))
            return false;
        v.clear();
        v.reserve(lens.size());
        size_t pos = 0;
        for (uint32_t len : lens) {
            if (len > all.size() - pos)
                return m_ok = false;
            v.emplace_back(all, pos, len);
            pos += len;
        }
        return pos == all.size() || (m_ok = false);
    }
    bool ok() const { return m_ok; }
    uint64_t sum() const { return m_sum; }
    uint64_t left() const { return m_left; }

private:
    std::FILE* m_f;
    uint64_t m_left;
    bool m_ok = true;
    uint64_t m_sum = 0;
};

uint64_t fnv1a(const std::string& s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s)
        h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

struct FileCloser {
    void operator()(std::FILE* f) const {
        if (f)
            std::fclose(f);
    }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

std::string DatasetCache::resolveDir(const std::string& configured) {
    if (!configured.empty())
        return configured;
    if (const char* env = std::getenv("RECSCOPE_CACHE_DIR"); env && *env)
        return env;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return std::string(xdg) + "/recscope";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.cache/recscope";
    return (fs::temp_directory_path() / "recscope-cache").string();
}

std::string DatasetCache::fileFor(const std::string& sourcePath) const {
    char name[32];
    std::snprintf(name, sizeof(name), "%016llx.rsdc",
                  static_cast<unsigned long long>(fnv1a(sourcePath)));
    return (fs::path(m_dir) / name).string();
}

std::optional<Dataset> DatasetCache::load(const std::string& sourcePath,
                                          const std::string& fingerprint) const {
    try {
        const std::string file = fileFor(sourcePath);
        FilePtr f(std::fopen(file.c_str(), "rb"));
        if (!f)
            return std::nullopt;
        std::error_code ec;
        const uint64_t fileSize = fs::file_size(file, ec);
        if (ec)
            return std::nullopt;
        Reader hdr(f.get(), fileSize);
        char magic[8];
        uint32_t version = 0, order = 0;
        std::string fp;
        uint64_t payloadBytes = 0, checksum = 0;
        if (!hdr.raw(magic, 8) || std::memcmp(magic, kMagic, 8) != 0 || !hdr.pod(version) ||
            version != kVersion || !hdr.pod(order) || order != kByteOrder || !hdr.str(fp) ||
            fp != fingerprint || !hdr.pod(payloadBytes) || !hdr.pod(checksum) ||
            payloadBytes != hdr.left())
            return std::nullopt;

        Reader r(f.get(), payloadBytes);
        Dataset ds;
        uint32_t format = 0;
        r.pod(format);
        r.pod(ds.m_scale);
        r.pod(ds.m_minTs);
        r.pod(ds.m_maxTs);
        r.pod(ds.m_ratedUsers);
        r.pod(ds.m_ratedItems);
        r.str(ds.m_source);
        r.vec(ds.m_userIds);
        r.vec(ds.m_itemIds);
        r.vec(ds.m_userOffsets);
        r.vec(ds.m_items);
        r.vec(ds.m_halfStars);
        r.vec(ds.m_timestamps);
        r.strings(ds.m_itemMeta.titles);
        r.vec(ds.m_itemMeta.years);
        r.vec(ds.m_itemMeta.genreMasks);
        r.strings(ds.m_itemMeta.genreNames);
        uint8_t present = 0;
        r.pod(present);
        ds.m_userMeta.present = present != 0;
        r.vec(ds.m_userMeta.ages);
        r.vec(ds.m_userMeta.genders);
        r.strings(ds.m_userMeta.occupations);
        r.strings(ds.m_userMeta.zipCodes);
        if (!r.ok() || r.left() != 0 || r.sum() != checksum ||
            format > static_cast<uint32_t>(DatasetFormat::Synthetic))
            return std::nullopt;
        ds.m_format = static_cast<DatasetFormat>(format);

        // Structural checks: a cache that passed the checksum but breaks an invariant (a bug in
        // an older writer) must still never reach code that indexes with it.
        const size_t nu = ds.m_userIds.size(), ni = ds.m_itemIds.size();
        const size_t nr = ds.m_items.size();
        if (ds.m_userOffsets.size() != nu + 1 || ds.m_userOffsets.front() != 0 ||
            static_cast<size_t>(ds.m_userOffsets.back()) != nr || ds.m_halfStars.size() != nr ||
            ds.m_timestamps.size() != nr || ds.m_itemMeta.titles.size() != ni ||
            ds.m_itemMeta.years.size() != ni || ds.m_itemMeta.genreMasks.size() != ni ||
            ds.m_itemMeta.genreNames.size() > 32)
            return std::nullopt;
        if (ds.m_userMeta.present &&
            (ds.m_userMeta.ages.size() != nu || ds.m_userMeta.genders.size() != nu ||
             ds.m_userMeta.occupations.size() != nu || ds.m_userMeta.zipCodes.size() != nu))
            return std::nullopt;
        for (size_t u = 0; u < nu; ++u)
            if (ds.m_userOffsets[u] > ds.m_userOffsets[u + 1])
                return std::nullopt;
        for (size_t i = 1; i < nu; ++i)
            if (ds.m_userIds[i - 1] >= ds.m_userIds[i])
                return std::nullopt;
        for (size_t i = 1; i < ni; ++i)
            if (ds.m_itemIds[i - 1] >= ds.m_itemIds[i])
                return std::nullopt;
        uint32_t bad = 0;
        const auto limit = static_cast<uint32_t>(ni);
        for (int32_t it : ds.m_items)
            bad |= static_cast<uint32_t>(static_cast<uint32_t>(it) >= limit);
        if (bad)
            return std::nullopt;
        return ds;
    } catch (...) {
        return std::nullopt;  // bad_alloc on a corrupt size, filesystem errors: not trusted
    }
}

Status DatasetCache::store(const Dataset& ds, const std::string& sourcePath,
                           const std::string& fingerprint) const {
    static std::atomic<int> counter{0};
    std::string tmp;
    try {
        std::error_code ec;
        fs::create_directories(m_dir, ec);
        const std::string file = fileFor(sourcePath);
        tmp = file + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
        FilePtr f(std::fopen(tmp.c_str(), "wb"));
        if (!f)
            return makeError("cannot write the dataset cache", tmp);
        std::vector<char> buffer(size_t(1) << 20);
        std::setvbuf(f.get(), buffer.data(), _IOFBF, buffer.size());

        Writer hdr(f.get());
        hdr.raw(kMagic, 8);
        hdr.pod(kVersion);
        hdr.pod(kByteOrder);
        hdr.str(fingerprint);
        const long sizePos = std::ftell(f.get());
        hdr.pod(uint64_t(0));  // payload size and checksum, patched below
        hdr.pod(uint64_t(0));

        Writer w(f.get());
        w.pod(static_cast<uint32_t>(ds.m_format));
        w.pod(ds.m_scale);
        w.pod(ds.m_minTs);
        w.pod(ds.m_maxTs);
        w.pod(ds.m_ratedUsers);
        w.pod(ds.m_ratedItems);
        w.str(ds.m_source);
        w.vec(ds.m_userIds);
        w.vec(ds.m_itemIds);
        w.vec(ds.m_userOffsets);
        w.vec(ds.m_items);
        w.vec(ds.m_halfStars);
        w.vec(ds.m_timestamps);
        w.strings(ds.m_itemMeta.titles);
        w.vec(ds.m_itemMeta.years);
        w.vec(ds.m_itemMeta.genreMasks);
        w.strings(ds.m_itemMeta.genreNames);
        w.pod(static_cast<uint8_t>(ds.m_userMeta.present ? 1 : 0));
        w.vec(ds.m_userMeta.ages);
        w.vec(ds.m_userMeta.genders);
        w.strings(ds.m_userMeta.occupations);
        w.strings(ds.m_userMeta.zipCodes);

        bool ok = hdr.ok() && w.ok() && std::fseek(f.get(), sizePos, SEEK_SET) == 0;
        const uint64_t bytes = w.bytes(), sum = w.sum();
        ok = ok && std::fwrite(&bytes, 8, 1, f.get()) == 1 && std::fwrite(&sum, 8, 1, f.get()) == 1;
        ok = std::fflush(f.get()) == 0 && ok;
        f.reset();
        if (!ok) {
            fs::remove(tmp, ec);
            return makeError("cannot write the dataset cache (disk full?)", tmp);
        }
        fs::rename(tmp, file, ec);
        if (ec) {
            fs::remove(tmp, ec);
            return makeError("cannot move the dataset cache into place: " + ec.message(), file);
        }
        return {};
    } catch (const std::exception& e) {
        std::error_code ec;
        if (!tmp.empty())
            fs::remove(tmp, ec);
        return makeError(std::string("cannot write the dataset cache: ") + e.what(), m_dir);
    }
}

}  // namespace recscope
