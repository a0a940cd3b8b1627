// Table export: each format against hand-written text, escaping of every special character,
// best marks, CSV and JSON read back by independent parsers (QJsonDocument, a small RFC 4180
// reader written here), atomic writes, and the leaderboard table's best-per-column marks.

#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "core/export/LeaderboardTable.h"
#include "core/export/TableExport.h"

using namespace recscope;

namespace {

// Two runs, a metric column with a mark, and a text column with a comma.
Table small() {
    Table t;
    t.headers = {"model", "ndcg@10", "note"};
    t.numeric = {false, true, false};
    t.rows = {{"bpr", "0.1000", "fast, small"}, {"ease", "0.2000", ""}};
    t.best = {{false, false, false}, {false, true, false}};
    return t;
}

// Cells a spreadsheet or LaTeX would choke on.
Table nasty() {
    Table t;
    t.headers = {"name", "value"};
    t.numeric = {false, true};
    t.rows = {{"a,b \"q\"", "1"},
              {"line\nbreak\ttab", "2.5"},
              {"pipe|back\\slash", ""},
              {"50% & $5 #1 _x {y} ~z ^w", "-3"}};
    return t;
}

// RFC 4180 reader: quoted fields may hold commas, quotes (doubled) and newlines.
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string cell;
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cell += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row.push_back(cell);
            cell.clear();
        } else if (c == '\n') {
            row.push_back(cell);
            cell.clear();
            rows.push_back(row);
            row.clear();
        } else {
            cell += c;
        }
    }
    return rows;
}

std::string readFile(const QString& path) {
    std::ifstream in(path.toStdString(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

RunRecord run(int64_t id, const std::string& model, std::map<std::string, double> metrics) {
    RunRecord r;
    r.id = id;
    r.name = model + " #" + std::to_string(id);
    r.config.model = model;
    r.dataset.name = "demo";
    r.metrics = std::move(metrics);
    r.status = RunStatus::Finished;
    return r;
}

}  // namespace

class TestTableExport : public QObject {
    Q_OBJECT

private slots:
    // One list of formats for the CLI and the GUI: every name and alias finds its format,
    // names and extensions are unique, and nothing else is accepted.
    void formatCatalogue() {
        std::set<std::string> names;
        std::set<std::string> extensions;
        for (const TableFormatInfo& f : tableFormats()) {
            QVERIFY(names.insert(f.name).second);
            QVERIFY(extensions.insert(f.extension).second);
            QCOMPARE(findTableFormat(f.name), &f);
            if (!f.alias.empty())
                QCOMPARE(findTableFormat(f.alias), &f);
            QCOMPARE(&tableFormatInfo(f.format), &f);
            QCOMPARE(tableFormatExtension(f.format), f.extension);
        }
        QCOMPARE(int(names.size()), 5);
        QVERIFY(!findTableFormat("xlsx") && !findTableFormat("") && !findTableFormat("CSV"));
        QCOMPARE(tableFormatNames(), std::string("csv, tsv, md, tex or json"));
    }

    void extensions() {
        QCOMPARE(tableFormatExtension(TableFormat::Csv), std::string("csv"));
        QCOMPARE(tableFormatExtension(TableFormat::Tsv), std::string("tsv"));
        QCOMPARE(tableFormatExtension(TableFormat::Markdown), std::string("md"));
        QCOMPARE(tableFormatExtension(TableFormat::Latex), std::string("tex"));
        QCOMPARE(tableFormatExtension(TableFormat::Json), std::string("json"));
    }

    void csvText() {
        QCOMPARE(renderTable(small(), TableFormat::Csv), std::string("model,ndcg@10,note\n"
                                                                     "bpr,0.1000,\"fast, small\"\n"
                                                                     "ease,0.2000,\n"));
        QCOMPARE(renderTable(nasty(), TableFormat::Csv),
                 std::string("name,value\n"
                             "\"a,b \"\"q\"\"\",1\n"
                             "\"line\nbreak\ttab\",2.5\n"
                             "pipe|back\\slash,\n"
                             "50% & $5 #1 _x {y} ~z ^w,-3\n"));
    }

    void tsvText() {
        QCOMPARE(renderTable(small(), TableFormat::Tsv), std::string("model\tndcg@10\tnote\n"
                                                                     "bpr\t0.1000\tfast, small\n"
                                                                     "ease\t0.2000\t\n"));
        const std::string t = renderTable(nasty(), TableFormat::Tsv);
        QVERIFY(t.find("line break tab\t2.5\n") != std::string::npos);
        QCOMPARE(int(std::count(t.begin(), t.end(), '\n')), 5);  // header + 4 rows, no more
    }

    void markdownText() {
        QCOMPARE(renderTable(small(), TableFormat::Markdown),
                 std::string("| model | ndcg@10 | note |\n"
                             "| --- | ---: | --- |\n"
                             "| bpr | 0.1000 | fast, small |\n"
                             "| ease | **0.2000** |  |\n"));
        Table n = nasty();
        n.caption = "Results";
        QCOMPARE(renderTable(n, TableFormat::Markdown),
                 std::string("**Results**\n\n"
                             "| name | value |\n"
                             "| --- | ---: |\n"
                             "| a,b \"q\" | 1 |\n"
                             "| line break tab | 2.5 |\n"
                             "| pipe\\|back\\\\slash |  |\n"
                             "| 50% & $5 #1 _x {y} ~z ^w | -3 |\n"));
    }

    void latexText() {
        Table t = small();
        t.caption = "NDCG_10 & more";
        QCOMPARE(renderTable(t, TableFormat::Latex), std::string("\\begin{table}[ht]\n"
                                                                 "\\centering\n"
                                                                 "\\caption{NDCG\\_10 \\& more}\n"
                                                                 "\\begin{tabular}{lrl}\n"
                                                                 "\\toprule\n"
                                                                 "model & ndcg@10 & note \\\\\n"
                                                                 "\\midrule\n"
                                                                 "bpr & 0.1000 & fast, small \\\\\n"
                                                                 "ease & \\textbf{0.2000} &  \\\\\n"
                                                                 "\\bottomrule\n"
                                                                 "\\end{tabular}\n"
                                                                 "\\end{table}\n"));
        const std::string n = renderTable(nasty(), TableFormat::Latex);
        QVERIFY2(n.find("50\\% \\& \\$5 \\#1 \\_x \\{y\\} \\textasciitilde{}z "
                        "\\textasciicircum{}w & -3 \\\\\n") != std::string::npos,
                 n.c_str());
        QVERIFY(n.find("pipe|back\\textbackslash{}slash &  \\\\\n") != std::string::npos);
        QVERIFY(n.find("line break tab & 2.5") != std::string::npos);
    }

    void jsonText() {
        QCOMPARE(renderTable(small(), TableFormat::Json),
                 std::string("[\n"
                             "  {\n"
                             "    \"model\": \"bpr\",\n"
                             "    \"ndcg@10\": 0.1,\n"
                             "    \"note\": \"fast, small\",\n"
                             "    \"best\": []\n"
                             "  },\n"
                             "  {\n"
                             "    \"model\": \"ease\",\n"
                             "    \"ndcg@10\": 0.2,\n"
                             "    \"note\": \"\",\n"
                             "    \"best\": [\n"
                             "      \"ndcg@10\"\n"
                             "    ]\n"
                             "  }\n"
                             "]\n"));
    }

    // CSV and JSON read back by parsers that share no code with the writer.
    void csvRoundTrip() {
        const Table t = nasty();
        const auto rows = parseCsv(renderTable(t, TableFormat::Csv));
        QCOMPARE(int(rows.size()), 1 + int(t.rows.size()));
        QCOMPARE(rows[0], t.headers);
        for (size_t r = 0; r < t.rows.size(); ++r)
            QCOMPARE(rows[r + 1], t.rows[r]);
    }

    void jsonRoundTrip() {
        const Table t = nasty();
        QJsonParseError e;
        const QJsonDocument doc = QJsonDocument::fromJson(
            QByteArray::fromStdString(renderTable(t, TableFormat::Json)), &e);
        QCOMPARE(e.error, QJsonParseError::NoError);
        const QJsonArray a = doc.array();
        QCOMPARE(a.size(), int(t.rows.size()));
        for (int r = 0; r < a.size(); ++r) {
            const QJsonObject o = a[r].toObject();
            QCOMPARE(o.keys().size(), 2);  // no "best" key: the table has no marks
            QCOMPARE(o["name"].toString().toStdString(), t.rows[size_t(r)][0]);
            const std::string value = t.rows[size_t(r)][1];
            if (value.empty())
                QVERIFY(o["value"].isNull());
            else
                QCOMPARE(o["value"].toDouble(), std::stod(value));  // a number, not text
        }
    }

    void writeTableIsAtomicAndNamesPath() {
        QTemporaryDir dir;
        const QString path = dir.filePath("board.md");
        QVERIFY(writeTable(small(), TableFormat::Markdown, path.toStdString()).ok());
        QCOMPARE(readFile(path), renderTable(small(), TableFormat::Markdown));
        // Overwrite: the new content replaces the old, nothing else is left in the folder.
        QVERIFY(writeTable(nasty(), TableFormat::Markdown, path.toStdString()).ok());
        QCOMPARE(readFile(path), renderTable(nasty(), TableFormat::Markdown));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1);
        const std::string bad = dir.filePath("no/such/folder/x.csv").toStdString();
        const Status s = writeTable(small(), TableFormat::Csv, bad);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().file, bad);
    }

    // Best per column: max for accuracy metrics, min for rmse/gini, ties both marked, a
    // missing metric is an empty cell and never best.
    void leaderboardMarksBest() {
        const std::vector<RunRecord> runs = {
            run(1, "pop", {{"ndcg@10", 0.05}, {"gini@10", 0.99}, {"rmse", 1.2}}),
            run(2, "ease", {{"ndcg@10", 0.11}, {"gini@10", 0.90}}),
            run(3, "ials", {{"ndcg@10", 0.10996}, {"gini@10", 0.95}, {"rmse", NAN}}),
        };
        const Table t = leaderboardTable(runs, {"ndcg@10", "gini@10", "rmse"}, 3);
        QCOMPARE(t.headers, (std::vector<std::string>{"id", "name", "model", "dataset", "exclude",
                                                      "fit_on", "ndcg@10", "gini@10", "rmse"}));
        QCOMPARE(t.rows[0], (std::vector<std::string>{"1", "pop #1", "pop", "demo", "positives",
                                                      "train", "0.050", "0.990", "1.200"}));
        QCOMPARE(t.rows[2][8], std::string(""));  // NaN shows as empty
        // 0.110 and 0.10996 print the same at 3 decimals: both best.
        const std::vector<bool> none(6, false);
        const auto marks = [&none](std::vector<bool> metrics) {
            std::vector<bool> all = none;
            all.insert(all.end(), metrics.begin(), metrics.end());
            return all;
        };
        QCOMPARE(t.best[0], marks({false, false, true}));
        QCOMPARE(t.best[1], marks({true, true, false}));
        QCOMPARE(t.best[2], marks({true, false, false}));
        QVERIFY(higherIsBetter("recall@20"));
        QVERIFY(!higherIsBetter("avgpop@10"));
        QVERIFY(!higherIsBetter("mae"));
        // The Markdown of it marks exactly those cells.
        const std::string md = renderTable(t, TableFormat::Markdown);
        QCOMPARE(int(std::count(md.begin(), md.end(), '*')), 4 * 4);
    }
};

QTEST_GUILESS_MAIN(TestTableExport)
#include "tst_tableexport.moc"
