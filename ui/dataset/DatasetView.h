#pragma once
// The Dataset tab: what was loaded (format, source, counts, density, rating scale, time span)
// and four charts: the rating histogram, the item-popularity long tail (log scale), user
// activity (users by ratings per user in logarithmic bins) and ratings per month. Every chart
// zooms, pans and exports (PNG / SVG / PDF) as the other views' charts do.
// Reads the DatasetSession; refreshes when it replaces the dataset.

#include <QWidget>

class QCPItemStraightLine;
class QCPItemText;
class QCustomPlot;
class QFormLayout;
class QLabel;
class QStackedWidget;

namespace recscope::ui {

class DatasetSession;
class WelcomePage;

class DatasetView : public QWidget {
    Q_OBJECT
public:
    explicit DatasetView(DatasetSession* session, QWidget* parent = nullptr);

    // The page shown while no dataset is open (its other requests are wired by the window).
    WelcomePage* welcomePage() const { return m_welcome; }

signals:
    // The empty page's "Open demo data" button.
    void demoRequested();
    void errorOccurred(const QString& message);

protected:
    void changeEvent(QEvent* event) override;

private:
    WelcomePage* m_welcome = nullptr;
    QWidget* createEmptyPage();
    QWidget* createContentPage();
    QLabel* addValueRow(QFormLayout* form, const QString& label, const QString& objectName);
    void refresh();
    void plotHistogram();
    void plotPopularity();
    void plotActivity();
    void plotMonths();
    void applyTheme();

    DatasetSession* m_session;
    QStackedWidget* m_pages;
    QLabel* m_format = nullptr;
    QLabel* m_source = nullptr;
    QLabel* m_users = nullptr;
    QLabel* m_items = nullptr;
    QLabel* m_ratings = nullptr;
    QLabel* m_density = nullptr;
    QLabel* m_scale = nullptr;
    QLabel* m_timeSpan = nullptr;
    QLabel* m_head = nullptr;
    QCustomPlot* m_histogram = nullptr;
    QCustomPlot* m_popularity = nullptr;
    QCustomPlot* m_activity = nullptr;
    QCustomPlot* m_months = nullptr;
    QCPItemStraightLine* m_headLine = nullptr;
    QCPItemText* m_headLabel = nullptr;
};

}  // namespace recscope::ui
