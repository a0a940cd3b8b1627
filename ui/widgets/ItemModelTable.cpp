#include "ui/widgets/ItemModelTable.h"

#include <QAbstractItemModel>

namespace recscope::ui {

Table ItemModelTable::build(const QAbstractItemModel& model, const Options& options) {
    QList<int> rows = options.rows;
    QList<int> columns = options.columns;
    if (rows.isEmpty())
        for (int r = 0; r < model.rowCount(); ++r)
            rows << r;
    if (columns.isEmpty())
        for (int c = 0; c < model.columnCount(); ++c)
            columns << c;

    Table table;
    table.caption = options.caption.toStdString();
    for (int c : columns) {
        table.headers.push_back(model.headerData(c, Qt::Horizontal).toString().toStdString());
        table.numeric.push_back(options.numericRole >= 0 &&
                                model.headerData(c, Qt::Horizontal, options.numericRole).toBool());
    }
    bool anyBest = false;
    for (int r : rows) {
        std::vector<std::string> cells;
        std::vector<bool> best;
        for (int c : columns) {
            const QModelIndex index = model.index(r, c);
            cells.push_back(index.data(Qt::DisplayRole).toString().toStdString());
            const bool isBest = options.bestRole >= 0 && index.data(options.bestRole).toBool();
            best.push_back(isBest);
            anyBest = anyBest || isBest;
        }
        table.rows.push_back(std::move(cells));
        table.best.push_back(std::move(best));
    }
    if (!anyBest)
        table.best.clear();
    return table;
}

}  // namespace recscope::ui
