#pragma once
// Workspace files (.attnws): every workspace's section (its state as JSON and its traces)
// plus the window's part (colour map, the workspace in front), in one file written
// atomically (QSaveFile: an interrupted or aborted save leaves the previous file intact).
//
// Layout (version 2; little-endian):
//   0        8   magic "ATTNSCWS"
//   8        4   uint32 version = 2
//   12       …   the traces, each a complete .attn file image (docs/manual/file-formats.md), back to back
//   D        L   the directory: UTF-8 JSON {"format": "attnscope-workspace", "version": 2,
//                "color_map", "current", "workspaces": {id: {"state": {…},
//                "traces": {name: {"offset": o, "length": n}}}}} (offsets from byte 0)
//   D+L      8   uint64 D
//   D+L+8    8   uint64 L
//   D+L+16   8   magic "ATTNSCWS"
// The directory comes last so traces stream straight from memory to disk, whatever their
// size. Version 1 files (one JSON object of the text workspace, trace inline) still open.
#include "attnscope/status.h"
#include "workspace.h"

#include <QString>

#include <map>

namespace attnscope::ui {

struct WorkspaceFile {
    QString colorMap;
    QString current;  ///< id of the workspace in front
    std::map<QString, WorkspaceSection> sections;
};

bool operator==(const WorkspaceSection& a, const WorkspaceSection& b);

/// Writes `file` to `path` atomically. `progress(bytes written, total bytes)` may return false
/// to abort: the previous file at `path` is then left as it was. False with a message on error.
bool writeWorkspaceFile(const QString& path, const WorkspaceFile& file, QString* error, const ProgressFn& progress = {});
/// Reads a version 2 (or version 1) workspace file. False with a message naming the file (also
/// when it is not a regular file: a device or a FIFO is never read).
bool readWorkspaceFile(const QString& path, WorkspaceFile& out, QString* error);

/// Input files a state names, by '/'-separated key (Workspace::statePathKeys). Writing: each
/// path inside `folder` (the workspace file's) becomes relative to it; a path outside stays
/// absolute. Values with a scheme ("book:Ruth") are not paths and are left alone.
void relativizeStatePaths(QJsonObject& state, const QStringList& keys, const QString& folder);
/// Reading: each path resolves inside `folder` (attnscope/confined.h) into an absolute path.
/// Absolute paths are refused unless `trusted` (the app's own autosave) or inside one of
/// `ownFolders` (the app's cache and resources: files it made or ships); `..` escapes, devices (/dev/zero)
/// and FIFOs always are. A refused path is removed from the state; the returned warnings name
/// the workspace (`owner`), the field and the reason.
QStringList confineStatePaths(QJsonObject& state, const QStringList& keys, const QString& folder, bool trusted,
                              const QString& owner, const QStringList& ownFolders = {});

} // namespace attnscope::ui
