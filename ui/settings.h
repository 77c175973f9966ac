#pragma once
// Typed settings: every QSettings key the app uses is declared here once, with its type
// and default. Read with settings::get(key), write with settings::set(key, value).
#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>

namespace attnscope::ui::settings {

template <typename T> struct Key {
    const char* name;
    T defaultValue;
};

inline const Key<QString> ColorMap{"view/colorMap", QStringLiteral("viridis")};  ///< viridis, magma, cividis
inline const Key<QString> Theme{"view/theme", QStringLiteral("light")};          ///< light, dark
inline const Key<QByteArray> WindowGeometry{"window/geometry", {}};
inline const Key<QByteArray> WindowState{"window/state", {}};
inline const Key<QStringList> RecentFiles{"files/recent", {}};  ///< most recent first
inline constexpr int kMaxRecentFiles = 8;

template <typename T> T get(const Key<T>& key)
{
    return QSettings().value(key.name, QVariant::fromValue(key.defaultValue)).template value<T>();
}

template <typename T> void set(const Key<T>& key, const T& value) { QSettings().setValue(key.name, QVariant::fromValue(value)); }

} // namespace attnscope::ui::settings
