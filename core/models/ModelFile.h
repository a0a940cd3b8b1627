#pragma once
// The binary file of a saved classic model: a header (magic "RSCMODEL", format version, model
// name, resolved parameters) followed by named sections of little-endian POD arrays. The reader
// checks the magic, version, model name and every section name and size, so a truncated or
// foreign file is an error naming the file, never a crash. Not thread-safe; one per file.

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "core/common/Status.h"

namespace recscope {

class ModelFile {
public:
    static constexpr uint32_t kVersion = 1;

    // Writing: open, then section()s in order, then finish().
    static Result<ModelFile> create(const std::string& path, const std::string& model,
                                    const std::map<std::string, std::string>& params);
    // Reading: open (checks header and model name), then the same section()s in order.
    static Result<ModelFile> open(const std::string& path, const std::string& expectedModel);

    const std::map<std::string, std::string>& params() const { return m_params; }

    template <typename T>
    Status write(const std::string& name, const std::vector<T>& data) {
        static_assert(std::is_trivially_copyable<T>::value, "POD sections only");
        return writeRaw(name, data.data(), data.size(), sizeof(T));
    }
    template <typename T>
    Status write(const std::string& name, const T& value) {
        static_assert(std::is_trivially_copyable<T>::value, "POD sections only");
        return writeRaw(name, &value, 1, sizeof(T));
    }
    template <typename T>
    Status read(const std::string& name, std::vector<T>& data) {
        static_assert(std::is_trivially_copyable<T>::value, "POD sections only");
        uint64_t count = 0;
        if (Status s = openSection(name, sizeof(T), count); !s)
            return s;
        data.resize(count);
        return readPiece(data.data(), count * sizeof(T));
    }
    template <typename T>
    Status read(const std::string& name, T& value) {
        std::vector<T> one;
        if (Status s = read(name, one); !s)
            return s;
        if (one.size() != 1)
            return fail("section '" + name + "' should hold one value");
        value = one[0];
        return {};
    }
    // A section too large to copy whole (EASE's item x item weights): its header, then its
    // count elements in pieces of whole elements. The reader checks the name and element size
    // and returns the count; the file's size bounds it as for read().
    Status beginSection(const std::string& name, uint64_t count, uint32_t elementSize);
    Status writePiece(const void* data, uint64_t bytes);
    Status openSection(const std::string& name, uint32_t elementSize, uint64_t& count);
    Status readPiece(void* data, uint64_t bytes);

    Status finish();  // flushes and checks the write succeeded

private:
    Status writeRaw(const std::string& name, const void* data, uint64_t count, uint32_t size);
    Error fail(const std::string& message) const;

    std::string m_path;
    std::fstream m_stream;
    uint64_t m_fileSize = 0;
    std::map<std::string, std::string> m_params;
};

}  // namespace recscope
