#pragma once
namespace attnscope::ui {
/// Creates the QApplication and the main window on the built-in demo; returns exit code.
int runGui(int argc, char** argv);
} // namespace attnscope::ui
