#include "core/export/TableExport.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

namespace recscope {

namespace {

bool isNumeric(const Table& t, size_t column) {
    return column < t.numeric.size() && t.numeric[column];
}

bool isBest(const Table& t, size_t row, size_t column) {
    return row < t.best.size() && column < t.best[row].size() && t.best[row][column];
}

const std::string& cell(const Table& t, size_t row, size_t column) {
    static const std::string empty;
    const auto& r = t.rows[row];
    return column < r.size() ? r[column] : empty;
}

std::string csvCell(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

std::string tsvCell(const std::string& s) {
    std::string out = s;
    for (char& c : out)
        if (c == '\t' || c == '\n' || c == '\r')
            c = ' ';
    return out;
}

std::string markdownCell(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '|' || c == '\\')
            out += '\\';
        if (c == '\n' || c == '\r' || c == '\t')
            out += ' ';
        else
            out += c;
    }
    return out;
}

std::string latexCell(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
            case '%':
            case '$':
            case '#':
            case '_':
            case '{':
            case '}':
                out += '\\';
                out += c;
                break;
            case '~':
                out += "\\textasciitilde{}";
                break;
            case '^':
                out += "\\textasciicircum{}";
                break;
            case '\\':
                out += "\\textbackslash{}";
                break;
            case '\n':
            case '\r':
            case '\t':
                out += ' ';
                break;
            default:
                out += c;
        }
    }
    return out;
}

template <typename Escape>
std::string delimited(const Table& t, char separator, Escape escape) {
    std::string out;
    const auto line = [&](auto get) {
        for (size_t c = 0; c < t.headers.size(); ++c) {
            if (c)
                out += separator;
            out += escape(get(c));
        }
        out += '\n';
    };
    line([&](size_t c) -> const std::string& { return t.headers[c]; });
    for (size_t r = 0; r < t.rows.size(); ++r)
        line([&](size_t c) -> const std::string& { return cell(t, r, c); });
    return out;
}

std::string markdown(const Table& t) {
    std::string out;
    if (!t.caption.empty())
        out += "**" + markdownCell(t.caption) + "**\n\n";
    out += "|";
    for (const std::string& h : t.headers)
        out += " " + markdownCell(h) + " |";
    out += "\n|";
    for (size_t c = 0; c < t.headers.size(); ++c)
        out += isNumeric(t, c) ? " ---: |" : " --- |";
    out += "\n";
    for (size_t r = 0; r < t.rows.size(); ++r) {
        out += "|";
        for (size_t c = 0; c < t.headers.size(); ++c) {
            const std::string text = markdownCell(cell(t, r, c));
            out += " " + (isBest(t, r, c) && !text.empty() ? "**" + text + "**" : text) + " |";
        }
        out += "\n";
    }
    return out;
}

std::string latex(const Table& t) {
    std::string spec;
    for (size_t c = 0; c < t.headers.size(); ++c)
        spec += isNumeric(t, c) ? 'r' : 'l';
    std::string out = "\\begin{table}[ht]\n\\centering\n";
    if (!t.caption.empty())
        out += "\\caption{" + latexCell(t.caption) + "}\n";
    out += "\\begin{tabular}{" + spec + "}\n\\toprule\n";
    const auto line = [&](auto get) {
        for (size_t c = 0; c < t.headers.size(); ++c)
            out += (c ? " & " : "") + get(c);
        out += " \\\\\n";
    };
    line([&](size_t c) { return latexCell(t.headers[c]); });
    out += "\\midrule\n";
    for (size_t r = 0; r < t.rows.size(); ++r)
        line([&](size_t c) {
            const std::string text = latexCell(cell(t, r, c));
            return isBest(t, r, c) && !text.empty() ? "\\textbf{" + text + "}" : text;
        });
    out += "\\bottomrule\n\\end{tabular}\n\\end{table}\n";
    return out;
}

// A numeric cell as a JSON number; text that is not a number stays a string rather than being
// lost, and an empty cell is null.
nlohmann::ordered_json jsonNumber(const std::string& s) {
    if (s.empty())
        return nullptr;
    const char* begin = s.c_str();
    char* end = nullptr;
    errno = 0;
    const long long i = std::strtoll(begin, &end, 10);
    if (*end == '\0' && errno == 0)
        return i;
    const double d = std::strtod(begin, &end);
    if (*end == '\0' && std::isfinite(d))
        return d;
    return s;
}

// ordered_json keeps the keys in header order.
std::string json(const Table& t) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (size_t r = 0; r < t.rows.size(); ++r) {
        nlohmann::ordered_json row = nlohmann::ordered_json::object();
        nlohmann::ordered_json best = nlohmann::ordered_json::array();
        for (size_t c = 0; c < t.headers.size(); ++c) {
            const std::string& text = cell(t, r, c);
            row[t.headers[c]] = isNumeric(t, c) ? jsonNumber(text) : nlohmann::ordered_json(text);
            if (isBest(t, r, c))
                best.push_back(t.headers[c]);
        }
        if (!t.best.empty())
            row["best"] = best;
        out.push_back(std::move(row));
    }
    return out.dump(2) + "\n";
}

}  // namespace

const std::vector<TableFormatInfo>& tableFormats() {
    static const std::vector<TableFormatInfo> all = {
        {TableFormat::Csv, "csv", "", "Csv", "CSV", "csv"},
        {TableFormat::Tsv, "tsv", "", "Tsv", "TSV", "tsv"},
        {TableFormat::Markdown, "md", "markdown", "Markdown", "Markdown", "md"},
        {TableFormat::Latex, "tex", "latex", "Latex", "LaTeX booktabs", "tex"},
        {TableFormat::Json, "json", "", "Json", "JSON", "json"},
    };
    return all;
}

const TableFormatInfo& tableFormatInfo(TableFormat format) {
    for (const TableFormatInfo& f : tableFormats())
        if (f.format == format)
            return f;
    return tableFormats().front();
}

const TableFormatInfo* findTableFormat(const std::string& name) {
    for (const TableFormatInfo& f : tableFormats())
        if (name == f.name || (!f.alias.empty() && name == f.alias))
            return &f;
    return nullptr;
}

std::string tableFormatNames() {
    std::string out;
    const auto& all = tableFormats();
    for (size_t i = 0; i < all.size(); ++i)
        out += (i == 0 ? "" : (i + 1 == all.size() ? " or " : ", ")) + all[i].name;
    return out;
}

std::string tableFormatExtension(TableFormat format) {
    return tableFormatInfo(format).extension;
}

std::string renderTable(const Table& table, TableFormat format) {
    switch (format) {
        case TableFormat::Csv:
            return delimited(table, ',', csvCell);
        case TableFormat::Tsv:
            return delimited(table, '\t', tsvCell);
        case TableFormat::Markdown:
            return markdown(table);
        case TableFormat::Latex:
            return latex(table);
        case TableFormat::Json:
            return json(table);
    }
    return {};
}

Status writeTable(const Table& table, TableFormat format, const std::string& path) {
    const std::string text = renderTable(table, format);
    const std::string temp = path + ".tmp-" + std::to_string(::getpid());
    std::FILE* f = std::fopen(temp.c_str(), "wb");
    if (!f)
        return makeError(std::string("cannot write: ") + std::strerror(errno), path);
    const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    const bool closed = std::fclose(f) == 0;
    if (!written || !closed) {
        std::remove(temp.c_str());
        return makeError("cannot write (disk full?)", path);
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        std::remove(temp.c_str());
        return makeError("cannot rename into place: " + why, path);
    }
    return {};
}

}  // namespace recscope
