#pragma once
// What a vision trace (schema::vision, VisionModel::run) shows over the picture: one patch's
// attention, the attention a patch receives, the CLS token's attention, rollout, or a model's
// own map — each as a grid of values laid over the picture the model saw.
#include "attnscope/trace.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <vector>

namespace attnscope::ui {

/// Which map to lay over the picture.
struct VisionView {
    /// patch: the attention of query `query` over the patches; received: the mean over queries
    /// (what each patch receives); cls: the CLS token's row; rollout: the rollout row of
    /// `query` (or of CLS with cls) up to `layer` (Abnar & Zuidema 2020); map:NAME: the
    /// model's map "map.NAME"; none: the picture only.
    QString mode = "patch";
    QString tensor = "attention";  ///< or a lens of it, "attention.norm" (read with its rows normalised)
    int layer = -1;  ///< 0-based; −1 = the last layer
    int head = -1;   ///< 0-based; −1 = mean over heads
    int query = 0;   ///< token index (a patch, or 0 = CLS with a CLS token)
    double opacity = 0.6;
};

/// The picture the model saw, padded (grey) to the model input's width so that the patch grid
/// lies exactly over it. Null without a "picture" tensor.
QImage visionPicture(const AttentionTrace& trace);

/// A line of black text on white, `width` × 60 pixels, DejaVu Sans 36 px from x = `left`: the
/// pictures a text recogniser is shown (the workspace's demo line, `attnscope prune`'s lines).
QImage renderedLine(const QString& text, int width, int left = 10);

/// The grid the modes run over: rows × cols of patches, and whether key 0 is CLS.
struct PatchGrid {
    int rows = 0, cols = 0;
    bool cls = false;
    bool valid() const { return rows > 0 && cols > 0; }
    int tokens() const { return rows * cols + (cls ? 1 : 0); }
};
PatchGrid patchGrid(const AttentionTrace& trace);

/// The modes this trace offers, as (mode, label) pairs: "patch", "received", "cls" (with CLS),
/// "rollout" (square attention), "map:NAME" per map.
std::vector<std::pair<QString, QString>> visionModes(const AttentionTrace& trace);

/// The map of `view`: rows × cols values over the (padded) picture and a title. False with
/// *error when the trace lacks what the mode needs (no attention tensor, no patch grid, a
/// layer/head/query out of range, an unknown map).
bool visionMap(const AttentionTrace& trace, const VisionView& view, std::vector<float>& values, int& rows, int& cols,
               QString& title, QString* error);

/// The patch (token index, CLS counted) under a point of the padded picture given as
/// fractions 0–1 of its width and height; −1 outside or without a grid.
int patchAt(const AttentionTrace& trace, double fx, double fy);

} // namespace attnscope::ui
