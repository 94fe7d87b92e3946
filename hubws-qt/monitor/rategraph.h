// SPDX-License-Identifier: MIT
#ifndef RATEGRAPH_H
#define RATEGRAPH_H

#include <QtCore/QVector>
#include <QtWidgets/QWidget>

// Messages per second in and out over the last capacity() samples (60, one
// a second from a RateSampler): two lines on a scale that fits the highest
// value shown, with the latest figures in the legend.
class RateGraph : public QWidget
{
    Q_OBJECT
public:
    explicit RateGraph(QWidget *parent = nullptr);

    int capacity() const { return 60; }
    int sampleCount() const { return inRates.size(); }
    QVector<double> inSamples() const { return inRates; }   // oldest first
    QVector<double> outSamples() const { return outRates; } // oldest first
    QSize sizeHint() const override { return QSize(420, 200); }
    QSize minimumSizeHint() const override { return QSize(240, 120); }

public Q_SLOTS:
    void addSample(double inPerSecond, double outPerSecond);
    void clear();

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QVector<double> inRates;
    QVector<double> outRates;
};

#endif // RATEGRAPH_H
