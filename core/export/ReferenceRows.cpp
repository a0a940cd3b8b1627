#include "core/export/ReferenceRows.h"

#include <cstdio>
#include <set>
#include <tuple>

namespace recscope {

std::string runDatasetFamily(const RunRecord& run) {
    return datasetFamily(run.dataset.format, run.dataset.ratings);
}

std::vector<ReferenceRow> referenceRows(const std::vector<RunRecord>& runs) {
    std::vector<const RunRecord*> pointers;
    pointers.reserve(runs.size());
    for (const RunRecord& run : runs)
        pointers.push_back(&run);
    return referenceRows(pointers);
}

std::vector<ReferenceRow> referenceRows(const std::vector<const RunRecord*>& runs) {
    std::set<const PublishedFigure*> wanted;
    for (const RunRecord* runPointer : runs) {
        const RunRecord& run = *runPointer;
        if (run.status != RunStatus::Finished || run.config.evaluateOn != EvalPart::Test)
            continue;
        const std::string family = runDatasetFamily(run);
        if (family.empty())
            continue;
        for (int k : run.config.ks)
            for (const PublishedFigure* f :
                 matchingFigures(run.config.split, run.evaluatedNegatives, run.config.sampler,
                                 family, k))
                wanted.insert(f);
    }
    // Catalogue order; one row per (table, published model, source).
    std::vector<ReferenceRow> rows;
    std::map<std::tuple<std::string, std::string, std::string>, size_t> rowOf;
    for (const PublishedFigure& f : publishedFigures()) {
        if (!wanted.count(&f))
            continue;
        const auto key = std::make_tuple(f.table, f.publishedModel, f.source);
        auto it = rowOf.find(key);
        if (it == rowOf.end()) {
            ReferenceRow row;
            row.table = f.table;
            row.tableTitle = figureTableTitle(f.table);
            row.name = f.publishedModel + " (" + f.source + ")";
            row.model = f.model;
            row.datasetFamily = f.datasetFamily;
            it = rowOf.emplace(key, rows.size()).first;
            rows.push_back(std::move(row));
        }
        rows[it->second].figures[f.metric] = &f;
    }
    return rows;
}

void appendReferenceRows(Table& table, const std::vector<ReferenceRow>& rows, int decimals) {
    for (const ReferenceRow& ref : rows) {
        std::vector<std::string> cells(table.headers.size());
        bool any = false;
        for (size_t c = 0; c < table.headers.size(); ++c) {
            const std::string& h = table.headers[c];
            if (h == "id")
                cells[c] = "published";
            else if (h == "name")
                cells[c] = ref.name;
            else if (h == "model")
                cells[c] = ref.model;
            else if (h == "dataset")
                cells[c] = ref.datasetFamily;
            else if (const auto it = ref.figures.find(h); it != ref.figures.end()) {
                cells[c] = referenceCell(*it->second, decimals);
                any = true;
            }
        }
        if (!any)
            continue;
        table.rows.push_back(std::move(cells));
        if (!table.best.empty())
            table.best.emplace_back(table.headers.size(), false);
    }
}

std::string referenceCell(const PublishedFigure& figure, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, figure.value);
    switch (figure.kind) {
        case FigureKind::AtLeast:
            return std::string("> ") + buf;
        case FigureKind::AtMost:
            return std::string("< ") + buf;
        case FigureKind::Value:
            break;
    }
    return buf;
}

}  // namespace recscope
