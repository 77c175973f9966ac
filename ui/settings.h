#pragma once
// Typed settings: every QSettings key the app uses is declared here once, with its type
// and default. Read with settings::get(key), write with settings::set(key, value).
#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QVariantMap>

namespace attnscope::ui::settings {

template <typename T> struct Key {
    const char* name;
    T defaultValue;
};

inline const Key<QString> ColorMap{"view/colorMap", QStringLiteral("viridis")};  ///< viridis, magma, cividis
inline const Key<QString> Theme{"view/theme", QStringLiteral("light")};          ///< light, dark
inline const Key<QByteArray> WindowGeometry{"window/geometry", {}};
inline const Key<QByteArray> WindowState{"window/state", {}};
/// Open the last session at start (it is kept on a clean quit); false: "Start fresh" with the demo.
inline const Key<bool> RestoreSession{"session/restore", true};
inline const Key<QStringList> RecentFiles{"files/recent", {}};  ///< most recent first
inline constexpr int kMaxRecentFiles = 8;
inline const Key<QStringList> UserModels{"models/user", {}};     ///< TorchScript .pt and ONNX .onnx files (Model manager)
/// Per ONNX model (absolute path or ppocr-rec/ppocr-det): the Softmax nodes the user chose to
/// show (a QStringList; absent or empty = all the attention found in the graph).
inline const Key<QVariantMap> ChosenAttention{"models/chosenAttention", {}};
inline const Key<int> ExportDpi{"export/pngDpi", 300};              ///< PNG resolution of File → Export view
inline const Key<QString> DefaultModel{"engine/defaultModel", {}};  ///< translation model at start; empty = first built-in
inline const Key<int> EngineThreads{"engine/threads", 0};           ///< LibTorch threads, 0 = all cores (applies at start)
inline const Key<int> ModelsKept{"engine/modelsKept", 3};            ///< loaded models kept in memory per kind (least recently used go)
inline const Key<int> DevScoreLimit{"engine/devScoreVerses", 0};    ///< dev verses scored per model in the head table, 0 = all

template <typename T> T get(const Key<T>& key)
{
    return QSettings().value(key.name, QVariant::fromValue(key.defaultValue)).template value<T>();
}

template <typename T> void set(const Key<T>& key, const T& value) { QSettings().setValue(key.name, QVariant::fromValue(value)); }

} // namespace attnscope::ui::settings
