#include "core/models/ModelFile.h"

#include <algorithm>
#include <cstring>

namespace recscope {
namespace {

constexpr char kMagic[8] = {'R', 'S', 'C', 'M', 'O', 'D', 'E', 'L'};
constexpr uint64_t kMaxString = 1 << 20;

void putU64(std::fstream& out, uint64_t v) {
    out.write(reinterpret_cast<const char*>(&v), 8);
}
void putString(std::fstream& out, const std::string& s) {
    putU64(out, s.size());
    out.write(s.data(), static_cast<std::streamsize>(s.size()));
}
bool getU64(std::fstream& in, uint64_t& v) {
    return static_cast<bool>(in.read(reinterpret_cast<char*>(&v), 8));
}
bool getString(std::fstream& in, std::string& s) {
    uint64_t n = 0;
    if (!getU64(in, n) || n > kMaxString)
        return false;
    s.resize(n);
    return static_cast<bool>(in.read(s.data(), static_cast<std::streamsize>(n)));
}

}  // namespace

Error ModelFile::fail(const std::string& message) const {
    return makeError(message, m_path);
}

Result<ModelFile> ModelFile::create(const std::string& path, const std::string& model,
                                    const std::map<std::string, std::string>& params) {
    ModelFile f;
    f.m_path = path;
    f.m_stream.open(path, std::ios::out | std::ios::binary | std::ios::trunc);
    if (!f.m_stream)
        return f.fail("cannot open for writing");
    f.m_stream.write(kMagic, sizeof kMagic);
    putU64(f.m_stream, kVersion);
    putString(f.m_stream, model);
    putU64(f.m_stream, params.size());
    for (const auto& [k, v] : params) {
        putString(f.m_stream, k);
        putString(f.m_stream, v);
    }
    f.m_params = params;
    if (!f.m_stream)
        return f.fail("write failed");
    return f;
}

Result<ModelFile> ModelFile::open(const std::string& path, const std::string& expectedModel) {
    ModelFile f;
    f.m_path = path;
    f.m_stream.open(path, std::ios::in | std::ios::binary);
    if (!f.m_stream)
        return f.fail("cannot open for reading");
    f.m_stream.seekg(0, std::ios::end);
    f.m_fileSize = static_cast<uint64_t>(f.m_stream.tellg());
    f.m_stream.seekg(0, std::ios::beg);
    char magic[8] = {};
    if (!f.m_stream.read(magic, sizeof magic) || std::memcmp(magic, kMagic, sizeof magic) != 0)
        return f.fail("not a RecScope model file (bad magic)");
    uint64_t version = 0;
    if (!getU64(f.m_stream, version) || version != kVersion)
        return f.fail("unsupported model file version " + std::to_string(version) + " (expected " +
                      std::to_string(kVersion) + ")");
    std::string model;
    if (!getString(f.m_stream, model))
        return f.fail("truncated header");
    if (model != expectedModel)
        return f.fail("holds a '" + model + "' model, expected '" + expectedModel + "'");
    uint64_t count = 0;
    if (!getU64(f.m_stream, count) || count > 10000)
        return f.fail("truncated header");
    for (uint64_t i = 0; i < count; ++i) {
        std::string k;
        std::string v;
        if (!getString(f.m_stream, k) || !getString(f.m_stream, v))
            return f.fail("truncated parameter list");
        f.m_params[k] = v;
    }
    return f;
}

Status ModelFile::writeRaw(const std::string& name, const void* data, uint64_t count,
                           uint32_t size) {
    if (Status s = beginSection(name, count, size); !s)
        return s;
    m_stream.write(static_cast<const char*>(data), static_cast<std::streamsize>(count * size));
    if (!m_stream)
        return fail("write failed in section '" + name + "'");
    return {};
}

Status ModelFile::beginSection(const std::string& name, uint64_t count, uint32_t elementSize) {
    putString(m_stream, name);
    putU64(m_stream, elementSize);
    putU64(m_stream, count);
    if (!m_stream)
        return fail("write failed in section '" + name + "'");
    return {};
}

Status ModelFile::writePiece(const void* data, uint64_t bytes) {
    m_stream.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
    if (!m_stream)
        return fail("write failed");
    return {};
}

Status ModelFile::openSection(const std::string& name, uint32_t size, uint64_t& count) {
    std::string got;
    uint64_t gotSize = 0;
    if (!getString(m_stream, got) || !getU64(m_stream, gotSize) || !getU64(m_stream, count))
        return fail("truncated before section '" + name + "'");
    if (got != name)
        return fail("expected section '" + name + "', found '" + got + "'");
    if (gotSize != size)
        return fail("section '" + name + "' has elements of " + std::to_string(gotSize) +
                    " bytes, expected " + std::to_string(size));
    const auto pos = static_cast<uint64_t>(m_stream.tellg());
    if (count > (m_fileSize - pos) / std::max<uint64_t>(1, size))
        return fail("section '" + name + "' is truncated");
    return {};
}

Status ModelFile::readPiece(void* data, uint64_t bytes) {
    if (!m_stream.read(static_cast<char*>(data), static_cast<std::streamsize>(bytes)))
        return fail("truncated data");
    return {};
}

Status ModelFile::finish() {
    m_stream.flush();
    if (!m_stream)
        return fail("write failed");
    m_stream.close();
    return {};
}

}  // namespace recscope
