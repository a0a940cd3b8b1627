#pragma once
// Where a release's files come from: a folder (files read by mmap) or a .zip (entries inflated
// into memory through libzip). Entry names are relative with '/' separators and at most one
// folder deep ("u.data", "ml-100k/u.data"), as in the official archives.
//
// Not thread-safe: one thread opens a source and reads its entries; the returned buffers are
// independent and may then be read from any thread.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/Status.h"

namespace recscope {

// Read-only bytes of one entry. Owns either a file mapping or a heap copy.
class FileBuffer {
public:
    FileBuffer() = default;
    FileBuffer(FileBuffer&& other) noexcept;
    FileBuffer& operator=(FileBuffer&& other) noexcept;
    FileBuffer(const FileBuffer&) = delete;
    FileBuffer& operator=(const FileBuffer&) = delete;
    ~FileBuffer();

    const char* data() const { return m_data; }
    size_t size() const { return m_size; }

    static FileBuffer fromHeap(std::vector<char> bytes);
    static FileBuffer fromMapping(void* map, size_t size);

private:
    void release();
    const char* m_data = nullptr;
    size_t m_size = 0;
    void* m_map = nullptr;  // munmap'ed on destruction when set
    std::vector<char> m_heap;
};

class DataSource {
public:
    // Entries larger than this are refused (a zip bomb must not exhaust memory).
    static constexpr uint64_t kMaxEntryBytes = uint64_t(4) << 30;

    static Result<std::unique_ptr<DataSource>> open(const std::string& path);
    ~DataSource();
    DataSource(const DataSource&) = delete;
    DataSource& operator=(const DataSource&) = delete;

    bool isZip() const { return m_zip != nullptr; }
    const std::string& path() const { return m_path; }  // canonical
    const std::vector<std::string>& entries() const { return m_entries; }
    bool has(const std::string& entry) const;
    // Uncompressed size, 0 when unknown.
    uint64_t entrySize(const std::string& entry) const;

    // Folder entries are memory-mapped; zip entries are inflated (CRC checked).
    Result<FileBuffer> read(const std::string& entry) const;

    // The name errors use: "/folder/u.data" or "/x/ml-100k.zip:ml-100k/u.data".
    std::string displayName(const std::string& entry) const;

    // Identity of the given entries' current contents: canonical path, size and mtime (ns) of
    // each file (of the archive itself for a zip). Changes whenever a file is rewritten or
    // touched.
    std::string fingerprint(const std::vector<std::string>& entries) const;

private:
    DataSource() = default;
    std::string m_path;
    std::vector<std::string> m_entries;
    std::vector<uint64_t> m_sizes;
    void* m_zip = nullptr;  // zip_t*
};

}  // namespace recscope
