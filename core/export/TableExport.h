#pragma once
// Result tables as files for reports and spreadsheets. A Table is plain text cells (the caller
// formats numbers); renderers escape what each format needs. Used by the leaderboard, the
// per-user export and the CLI.

#include <string>
#include <vector>

#include "core/common/Status.h"

namespace recscope {

struct Table {
    std::string caption;  // LaTeX caption / Markdown heading; may be empty
    std::vector<std::string> headers;
    std::vector<std::vector<std::string>> rows;  // each row has headers.size() cells
    // Optional, same shape as rows (or empty): cells to mark as the best of their column
    // (bold in Markdown and LaTeX, "best": true in JSON; CSV/TSV carry no marks).
    std::vector<std::vector<bool>> best;
    std::vector<bool> numeric;  // per column; right-aligned, JSON numbers
};

enum class TableFormat { Csv, Tsv, Markdown, Latex, Json };

// The one list of export formats: the CLI's --format names, the GUI's export menus and file
// filters all come from here.
struct TableFormatInfo {
    TableFormat format;
    std::string name;       // "md": what --format takes
    std::string alias;      // "markdown": also accepted; may be empty
    std::string id;         // "Markdown": part of the GUI's action names
    std::string label;      // "Markdown": menus and file filters
    std::string extension;  // "md", without the dot
};

// CSV, TSV, Markdown, LaTeX (booktabs), JSON, in menu order.
const std::vector<TableFormatInfo>& tableFormats();
const TableFormatInfo& tableFormatInfo(TableFormat format);
// By name or alias; null when unknown.
const TableFormatInfo* findTableFormat(const std::string& name);
// "csv, tsv, md, tex or json".
std::string tableFormatNames();

// File extension without the dot ("csv", "tsv", "md", "tex", "json").
std::string tableFormatExtension(TableFormat format);

// CSV: RFC 4180 (quotes when a cell has a comma, quote or newline), "\n" line ends.
// TSV: tabs and newlines inside cells become spaces. Markdown: a pipe table, "|" escaped.
// LaTeX: a booktabs tabular (\toprule \midrule \bottomrule) with & % $ # _ { } ~ ^ \ escaped.
// JSON: an array of objects keyed by header, in header order; numeric columns as numbers (empty
// cell: null; text that is no number stays a string). When the table has marks, each object
// also has "best": [the headers of its cells marked best] (possibly empty).
std::string renderTable(const Table& table, TableFormat format);

// Writes atomically (temporary file in the same folder, then rename). Errors name the path.
Status writeTable(const Table& table, TableFormat format, const std::string& path);

}  // namespace recscope
