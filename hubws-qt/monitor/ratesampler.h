// SPDX-License-Identifier: MIT
#ifndef RATESAMPLER_H
#define RATESAMPLER_H

#include <QtCore/QElapsedTimer>
#include <QtCore/QObject>
#include <QtCore/QTimer>

class HubEngine;

// Messages per second in and out of the hub, from the engine's frame
// counters (every transport; a broadcast counts once out), sampled every
// period (1 s by default). Unlike the $hub/messages_*_per_s states it works
// with the hub's figures turned off (--stats 0).
class RateSampler : public QObject
{
    Q_OBJECT
public:
    explicit RateSampler(HubEngine *engine, int periodMs = 1000, QObject *parent = nullptr);

    int period() const { return timer.interval(); }

Q_SIGNALS:
    void sampled(double inPerSecond, double outPerSecond);

private:
    void sample();

    HubEngine *engine;
    QTimer timer;
    QElapsedTimer clock;
    quint64 lastIn = 0;
    quint64 lastOut = 0;
};

#endif // RATESAMPLER_H
