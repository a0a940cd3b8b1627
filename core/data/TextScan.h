#pragma once
// Small text helpers shared by the MovieLens readers: line iteration with 1-based line numbers,
// field splitting, number parsing with precise error text, Latin-1 -> UTF-8.
// All functions are pure and thread-safe; string_views point into caller-owned buffers.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/Dataset.h"

namespace recscope::text {

// 1-based number of the line that contains byte offset pos of data.
int64_t lineNumberAt(const char* data, size_t pos);

// Iterates the lines of a buffer; '\n' or "\r\n" line ends; the last line may lack one.
class LineCursor {
public:
    LineCursor(const char* data, size_t size, size_t start = 0)
        : m_data(data),
          m_size(size),
          m_pos(start),
          m_line(start == 0 ? 0 : lineNumberAt(data, start) - 1) {}
    // Next line without its line end; false at the end of the buffer.
    bool next(std::string_view& line);
    int64_t lineNumber() const { return m_line; }  // of the line last returned

private:
    const char* m_data;
    size_t m_size;
    size_t m_pos;
    int64_t m_line;
};

// Splits on a one- or multi-character separator ("|", "::").
void split(std::string_view line, std::string_view sep, std::vector<std::string_view>& out);

// RFC 4180 fields within one line: quoted fields may contain separators and doubled quotes.
// False (with err set) on an unterminated quote or text after a closing quote.
bool splitCsv(std::string_view line, std::vector<std::string>& out, std::string& err);

// Whole field as a non-negative id <= 2^31-1; err names the column on failure.
bool parseId(std::string_view field, const char* column, int64_t& value, std::string& err);
bool parseInt(std::string_view field, const char* column, int64_t& value, std::string& err);
// Rating as half-stars, checked against the scale.
bool parseRating(std::string_view field, const RatingScale& scale, uint8_t& halfStars,
                 std::string& err);

bool isValidUtf8(const char* data, size_t size);
std::string latin1ToUtf8(std::string_view s);
// Text of a field for error messages: at most 20 characters, control characters escaped.
std::string quoteField(std::string_view s);
std::string_view trim(std::string_view s);
// Skips a UTF-8 byte-order mark.
size_t bomLength(const char* data, size_t size);
std::string scaleText(const RatingScale& scale);

// Genre lists such as "Action|Comedy" (one per item) -> bit masks over the distinct names in
// ascending order; listed names in `ignore` (e.g. "(no genres listed)") give no bit.
// False when more than 32 distinct genres appear.
bool assignGenres(const std::vector<std::string>& lists, const std::string& ignore,
                  std::vector<std::string>& names, std::vector<uint32_t>& masks, std::string& err);

}  // namespace recscope::text
