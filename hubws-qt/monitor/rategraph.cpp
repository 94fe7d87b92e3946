// SPDX-License-Identifier: MIT
#include "rategraph.h"

#include <QtCore/QLocale>
#include <QtGui/QPainter>
#include <QtGui/QPainterPath>

#include <cmath>

namespace {
const QColor inColor(0x1f, 0x77, 0xb4);  // blue
const QColor outColor(0xe6, 0x7e, 0x22); // orange

// A scale of four bands with round labels: 4 x (1, 2 or 5 x 10^n), the
// smallest at or above value (at least 4: no fractions at rest).
double scaleTop(double value)
{
    const double band = value / 4;
    if (band <= 1)
        return 4;
    const double magnitude = std::pow(10.0, std::floor(std::log10(band)));
    for (double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * magnitude >= band)
            return 4 * step * magnitude;
    }
    return 40 * magnitude;
}

QString rateText(double rate)
{
    const QLocale locale;
    if (rate >= 10000)
        return locale.toString(rate / 1000, 'f', 1) + QLatin1Char('k');
    return locale.toString(rate, 'f', rate < 100 && rate != std::floor(rate) ? 1 : 0);
}
} // namespace

RateGraph::RateGraph(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding);
    setToolTip(tr("Messages per second over the last minute, all transports"));
}

void RateGraph::addSample(double inPerSecond, double outPerSecond)
{
    inRates.append(inPerSecond);
    outRates.append(outPerSecond);
    if (inRates.size() > capacity()) {
        inRates.removeFirst();
        outRates.removeFirst();
    }
    update();
}

void RateGraph::clear()
{
    inRates.clear();
    outRates.clear();
    update();
}

void RateGraph::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.base());

    const QFontMetrics fm = fontMetrics();
    const int lineHeight = fm.height();
    double top = 0;
    for (int i = 0; i < inRates.size(); ++i)
        top = qMax(top, qMax(inRates.at(i), outRates.at(i)));
    top = scaleTop(top);

    // Plot area: room for the scale on the left, the legend above, the time axis below.
    int left = 0;
    for (int i = 0; i <= 4; ++i)
        left = qMax(left, fm.horizontalAdvance(rateText(top * i / 4)));
    left += 12;
    const QRect plot(left, lineHeight + 10, width() - left - 10, height() - 2 * lineHeight - 18);
    if (plot.width() < 20 || plot.height() < 20)
        return;

    // Grid and scale: four bands.
    QColor grid = pal.color(QPalette::Mid);
    grid.setAlpha(90);
    p.setFont(font());
    for (int i = 0; i <= 4; ++i) {
        const int y = plot.bottom() - i * plot.height() / 4;
        p.setPen(QPen(grid, 1));
        p.drawLine(plot.left(), y, plot.right(), y);
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRect(0, y - lineHeight / 2, left - 6, lineHeight), Qt::AlignRight | Qt::AlignVCenter,
                   rateText(top * i / 4));
    }
    p.setPen(pal.color(QPalette::Text));
    const int axisY = plot.bottom() + 4;
    p.drawText(QRect(plot.left(), axisY, plot.width(), lineHeight), Qt::AlignLeft, tr("-60 s"));
    p.drawText(QRect(plot.left(), axisY, plot.width(), lineHeight), Qt::AlignHCenter, tr("-30 s"));
    p.drawText(QRect(plot.left(), axisY, plot.width(), lineHeight), Qt::AlignRight, tr("now"));

    if (inRates.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(plot, Qt::AlignCenter, tr("waiting for the first sample"));
    }

    // The newest sample sits at the right edge; a slot per second of the minute.
    const double dx = double(plot.width()) / (capacity() - 1);
    auto drawLine = [&](const QVector<double> &rates, const QColor &color) {
        if (rates.isEmpty())
            return;
        QPainterPath path;
        for (int i = 0; i < rates.size(); ++i) {
            const double x = plot.right() - (rates.size() - 1 - i) * dx;
            const double y = plot.bottom() - rates.at(i) / top * plot.height();
            if (i == 0)
                path.moveTo(x, y);
            else
                path.lineTo(x, y);
        }
        p.setPen(QPen(color, 2));
        p.setBrush(Qt::NoBrush);
        if (rates.size() == 1)
            p.drawEllipse(path.currentPosition(), 2, 2);
        else
            p.drawPath(path);
    };
    drawLine(outRates, outColor);
    drawLine(inRates, inColor);

    // Legend with the latest figures.
    const QString inText = tr("in %1/s").arg(inRates.isEmpty() ? QStringLiteral("-")
                                                                 : rateText(inRates.last()));
    const QString outText = tr("out %1/s").arg(outRates.isEmpty() ? QStringLiteral("-")
                                                                    : rateText(outRates.last()));
    int x = plot.left();
    const int y = 4;
    for (const auto &entry : {qMakePair(inText, inColor), qMakePair(outText, outColor)}) {
        p.fillRect(QRect(x, y + lineHeight / 2 - 2, 14, 4), entry.second);
        x += 18;
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRect(x, y, fm.horizontalAdvance(entry.first) + 2, lineHeight), Qt::AlignVCenter,
                   entry.first);
        x += fm.horizontalAdvance(entry.first) + 16;
    }
}
