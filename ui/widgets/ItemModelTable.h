#pragma once
// A core Table (for TableExport) from what an item model shows: the DisplayRole text of the
// chosen rows and columns in the model's order (for a proxy: the visible sort order), the
// horizontal header as headers, and optional roles that mark best cells and numeric columns.

#include <QList>
#include <QString>

#include "core/export/TableExport.h"

class QAbstractItemModel;

namespace recscope::ui {

class ItemModelTable {
public:
    struct Options {
        QString caption;
        QList<int> rows;       // empty: every row
        QList<int> columns;    // empty: every column
        int bestRole = -1;     // bool data role marking a best cell; -1: none
        int numericRole = -1;  // bool horizontal headerData role; -1: none
    };
    static Table build(const QAbstractItemModel& model, const Options& options);
};

}  // namespace recscope::ui
