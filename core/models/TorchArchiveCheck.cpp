#include "core/models/TorchArchiveCheck.h"

#include <sys/stat.h>
#include <zip.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <regex>
#include <string>
#include <string_view>

namespace recscope {

namespace {

constexpr int64_t kMaxEntries = 4096;
constexpr uint64_t kMaxInflation = 64;
// LibTorch 1.13 reads archive format versions 1 to 10 (2.x writes no newer one for modules).
constexpr int kMaxFormatVersion = 10;

// Bytes of the fixed-size argument that follows an opcode; -1 for a newline-terminated text
// argument, -2 for one length-prefixed argument (its length's size in `lengthBytes`), -3 for
// two text lines, -9 for an opcode outside the protocol.
struct OpShape {
    int fixed = -9;
    int lengthBytes = 0;
};

OpShape shapeOf(uint8_t op) {
    switch (op) {
        // no argument
        case '(':
        case ')':
        case '}':
        case ']':
        case 't':
        case 0x85:
        case 0x86:
        case 0x87:
        case 'Q':
        case 'R':
        case 'b':
        case 's':
        case 'u':
        case 'a':
        case 'e':
        case 0x88:
        case 0x89:
        case 'N':
        case '.':
        case 0x81:
        case 0x94:
        case 0x8f:
        case 0x90:
        case 0x91:
        case 0x92:
        case '2':
        case '0':
        case '1':
        case 'o':
        case 'l':
        case 'd':
            return {0, 0};
        case 0x80:
        case 'q':
        case 'h':
        case 'K':
        case 0x82:  // PROTO, BINPUT, BINGET, BININT1, EXT1
            return {1, 0};
        case 'M':
        case 0x83:  // BININT2, EXT2
            return {2, 0};
        case 'r':
        case 'j':
        case 'J':
        case 0x84:  // LONG_BINPUT, LONG_BINGET, BININT, EXT4
            return {4, 0};
        case 'G':
        case 0x95:  // BINFLOAT, FRAME
            return {8, 0};
        case 0x8a:
        case 'U':
        case 'C':
        case 0x8c:  // LONG1, SHORT_BINSTRING/BYTES/UNICODE
            return {-2, 1};
        case 0x8b:
        case 'T':
        case 'X':
        case 'B':  // LONG4, BINSTRING, BINUNICODE, BINBYTES
            return {-2, 4};
        case 0x8d:
        case 0x8e:
        case 0x96:  // BINUNICODE8, BINBYTES8, BYTEARRAY8
            return {-2, 8};
        case 'I':
        case 'L':
        case 'F':
        case 'S':
        case 'V':
        case 'p':
        case 'g':
        case 'P':
            return {-1, 0};
        case 'c':
        case 'i':  // GLOBAL, INST: module and name lines
            return {-3, 0};
        default:
            return {};
    }
}

uint64_t littleEndian(const uint8_t* p, int bytes) {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

// "__torch__.___torch_mangle_3", "Module", "torch._utils": identifiers joined by dots.
bool dottedName(std::string_view text) {
    if (text.empty() || text.size() > 256 || text.front() == '.' || text.back() == '.')
        return false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                        (c >= '0' && c <= '9' && i > 0 && text[i - 1] != '.') ||
                        (c == '.' && text[i - 1] != '.');
        if (!ok)
            return false;
    }
    return true;
}

// A TorchScript source entry (code/...py) as LibTorch writes it for a C++ module: class
// headers, the parameter and buffer lists, and attribute annotations whose types are Tensor,
// a scalar or a module class. LibTorch compiles these files on load and crashes on some damaged
// ones, so anything else is refused.
bool plainModuleSource(const std::string& text) {
    static const std::regex line(
        R"(|class Module\(Module\):|  __(parameters|buffers)__ = \[("[A-Za-z0-9_.]+", )*\]|)"
        R"(  __annotations__ = \[\]|)"
        R"(  ([A-Za-z_][A-Za-z0-9_]*|__annotations__\["[A-Za-z0-9_.]+"\]) (:|=) )"
        R"((Tensor|str|int|float|bool|Optional\[Tensor\]|__torch__(\.[A-Za-z_][A-Za-z0-9_]*)+))");
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        if (end - start > 2048 || !std::regex_match(text.begin() + std::ptrdiff_t(start),
                                                    text.begin() + std::ptrdiff_t(end), line))
            return false;
        start = end + 1;
    }
    return true;
}

Error at(size_t offset, const std::string& what) {
    return makeError("pickle byte " + std::to_string(offset) + ": " + what);
}

}  // namespace

Status checkPickle(const std::string& bytes) {
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    const size_t size = bytes.size();
    uint64_t memo = 0;  // slots written so far (MEMOIZE and PUTs with the next index)
    size_t pos = 0;
    while (pos < size) {
        const size_t start = pos;
        const uint8_t op = data[pos++];
        const OpShape shape = shapeOf(op);
        if (shape.fixed == -9)
            return at(start, "unknown opcode " + std::to_string(int(op)));
        if (op == '.')
            return {};
        if (shape.fixed >= 0) {
            if (size - pos < size_t(shape.fixed))
                return at(start, "argument runs past the end");
            const uint64_t arg = shape.fixed ? littleEndian(data + pos, shape.fixed) : 0;
            pos += size_t(shape.fixed);
            if (op == 'q' || op == 'r') {  // BINPUT, LONG_BINPUT
                if (arg > memo)
                    return at(start, "memo index " + std::to_string(arg) + " skips ahead of " +
                                         std::to_string(memo) + " written slots");
                memo += arg == memo ? 1 : 0;
            } else if (op == 0x94) {  // MEMOIZE
                ++memo;
            } else if ((op == 'h' || op == 'j') && arg >= memo) {  // BINGET, LONG_BINGET
                return at(start, "memo index " + std::to_string(arg) + " was never written");
            } else if (op == 0x95 && arg > size - pos) {  // FRAME
                return at(start, "frame runs past the end");
            }
            continue;
        }
        if (shape.fixed == -2) {
            if (size - pos < size_t(shape.lengthBytes))
                return at(start, "length runs past the end");
            const uint64_t length = littleEndian(data + pos, shape.lengthBytes);
            pos += size_t(shape.lengthBytes);
            if (length > size - pos)
                return at(start, "a " + std::to_string(length) + "-byte value runs past the end");
            pos += size_t(length);
            continue;
        }
        // Text arguments: one or two lines.
        for (int line = 0; line < (shape.fixed == -3 ? 2 : 1); ++line) {
            const void* nl = std::memchr(data + pos, '\n', size - pos);
            if (!nl)
                return at(start, "text argument without an end of line");
            const size_t end = size_t(static_cast<const uint8_t*>(nl) - data);
            // A class name: LibTorch parses it as a type expression, and crashes on some that
            // are not plain dotted names (fuzz_modelfile's sixth finding).
            if ((op == 'c' || op == 'i') &&
                !dottedName(std::string_view(bytes).substr(pos, end - pos)))
                return at(start, "a class name that is not a dotted name");
            pos = end + 1;
        }
        if (op == 'p')  // PUT: a text index; counted as the next slot
            ++memo;
    }
    return at(size, "pickle without STOP");
}

Status checkTorchArchive(const std::string& path) {
    const auto refuse = [&path](const std::string& why) {
        return Status(makeError("not a valid LibTorch model archive: " + why, path));
    };
    int err = 0;
    std::unique_ptr<zip_t, int (*)(zip_t*)> zip(zip_open(path.c_str(), ZIP_RDONLY, &err),
                                                zip_close);
    if (!zip)
        return refuse("not a zip file");
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return refuse("cannot read its size");
    const uint64_t fileSize = uint64_t(st.st_size);
    const zip_int64_t entries = zip_get_num_entries(zip.get(), 0);
    if (entries <= 0 || entries > kMaxEntries)
        return refuse(std::to_string(entries) + " entries");
    // LibTorch names the archive after the first entry's folder and reads "<folder>/version"
    // first; when that fails it throws from a constructor and leaks its zip reader (LibTorch
    // 1.13, found by fuzz_modelfile). Both are checked here instead.
    const char* firstName = zip_get_name(zip.get(), 0, 0);
    const std::string first = firstName ? firstName : "";
    const size_t slash = first.find('/');
    if (slash == std::string::npos || slash == 0)
        return refuse("its first entry is not inside a folder");
    const std::string versionName = first.substr(0, slash) + "/version";
    const zip_int64_t versionIndex = zip_name_locate(zip.get(), versionName.c_str(), 0);
    if (versionIndex < 0)
        return refuse("no " + versionName + " entry");
    {
        char text[32] = {};
        std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(
            zip_fopen_index(zip.get(), zip_uint64_t(versionIndex), 0), zip_fclose);
        const zip_int64_t got = file ? zip_fread(file.get(), text, sizeof text - 1) : -1;
        const std::string version(text, size_t(std::max<zip_int64_t>(got, 0)));
        const size_t digits = version.find_first_not_of("0123456789");
        const std::string number = version.substr(0, digits);
        const std::string rest = digits == std::string::npos ? "" : version.substr(digits);
        if (number.empty() || number.size() > 2 ||
            rest.find_first_not_of("\r\n") != std::string::npos || std::stoi(number) < 1 ||
            std::stoi(number) > kMaxFormatVersion)
            return refuse(versionName + " is not a format version this program reads");
    }
    for (zip_int64_t i = 0; i < entries; ++i) {
        zip_stat_t info;
        zip_stat_init(&info);
        if (zip_stat_index(zip.get(), zip_uint64_t(i), 0, &info) != 0 || !info.name)
            return refuse("entry " + std::to_string(i) + " cannot be read");
        const std::string name = info.name;
        if (name.empty() || name[0] == '/' || name.find("..") != std::string::npos ||
            name.find('\\') != std::string::npos)
            return refuse("entry name '" + name + "'");
        if (!(info.valid & ZIP_STAT_SIZE) || !(info.valid & ZIP_STAT_COMP_SIZE))
            return refuse("entry '" + name + "' has no size");
        if (info.comp_size > fileSize || info.size > kMaxInflation * (info.comp_size + 1024))
            return refuse("entry '" + name + "' claims " + std::to_string(info.size) + " bytes");
        const auto endsWith = [&name](const char* suffix) {
            const size_t n = std::strlen(suffix);
            return name.size() >= n && name.compare(name.size() - n, n, suffix) == 0;
        };
        const bool pickle = endsWith(".pkl");
        const bool source = endsWith(".py");
        if (!pickle && !source)
            continue;
        std::string bytes(size_t(info.size), '\0');
        std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(
            zip_fopen_index(zip.get(), zip_uint64_t(i), 0), zip_fclose);
        if (!file || zip_fread(file.get(), bytes.data(), info.size) != zip_int64_t(info.size))
            return refuse("entry '" + name + "' cannot be read");
        if (source && !plainModuleSource(bytes))
            return refuse("'" + name + "' is not the module source this program writes");
        if (pickle)
            if (Status s = checkPickle(bytes); !s)
                return refuse("'" + name + "': " + s.error().message);
    }
    return {};
}

}  // namespace recscope
