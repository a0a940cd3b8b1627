#pragma once
// A ready-made class session (Help ▸ Lessons): a short text for the teacher and the students,
// the runs to train one after the other on one split, how many users to pin in the watch list,
// and the view to open at the end. Lessons are JSON files; the built-in ones are resources
// (:/lessons/*.json), so a teacher can also load her own from disk.
//
// Format (every key but "runs" optional):
//   {"title": "...", "summary": "one line", "text": "<p>HTML</p>",
//    "protocol": "temporal" | "loo" | "ratio", "threshold": 4, "seed": 42,
//    "runs": [{"model": "bpr", "params": {"epochs": "15"}}, ...],
//    "watch": 3, "finish": "leaderboard" | "train" | "inspector" | "taste",
//    "data": "demo", "user": "genre-shift"}
// "data": "demo" makes the lesson open the built-in demo data even when another dataset is open
// (a lesson about the generator's hidden tastes needs them); "taste" finishes on the "what did
// the model learn" dialog for the last run. "user": "genre-shift" (with "finish": "inspector")
// opens the inspector on the user whose recent films differ most in genre from their older ones.

#include <QMetaType>
#include <QString>
#include <QVector>

#include "core/common/Status.h"
#include "core/run/Experiment.h"

namespace recscope::ui {

struct Lesson {
    enum class Finish { Train, Leaderboard, Inspector, Taste };

    QString source;  // file or resource path it was read from
    QString title;
    QString summary;
    QString text;             // rich text (HTML subset of QTextDocument)
    QVector<RunConfig> runs;  // complete configurations; dataset filled in when it starts
    int watchUsers = 0;       // users to pin (few / median / many ratings), 0..5
    Finish finish = Finish::Leaderboard;
    bool needsDemoData = false;   // "data": "demo"
    bool genreShiftUser = false;  // "user": "genre-shift"
};

// Errors name the source, the line and what was expected ("lesson.json:12: \"runs\" must be a
// non-empty array"). Each run is checked with validateRunConfig.
Result<Lesson> parseLesson(const QByteArray& json, const QString& source);
// The built-in lessons, in file-name order. A broken resource is a build bug: it is skipped
// (and reported by the lesson test), never shown half-parsed.
QVector<Lesson> builtInLessons();

}  // namespace recscope::ui

Q_DECLARE_METATYPE(recscope::ui::Lesson)
