#!/bin/sh
# The agreement of predict --slo --server with the stored peak searches (docs/OPEN-LOOP.md, "Predicted peak rates
# against the sweep"), with the M/G/1 variance term. Run from the repository root after
# pp-heavy mvn -B -o -q -pl reports -am package -DskipTests ; writes into $OUT (default: this folder).
set -e
OUT=${OUT:-docs/runs/2026-12-07-predicted-peaks-mg1}
J="java -jar reports/target/paretopipe-reports.jar"
C=docs/runs/2026-12-07-mobilenetv2-b1-closed-loop; S=docs/runs/2026-12-06-server-sweep; R=docs/runs/2026-12-06-server-repro
$J predict $C/jmh/unit-profile-mobilenetv2.json --calibrate $C \
  --link none --slo p99:500ms --server $S/L*-server-scenario.json $S/split*-server-scenario.json \
  $R/split19-a-server-scenario.json $R/split19-b-server-scenario.json --out $OUT/loopback
$J predict $C/jmh/unit-profile-mobilenetv2.json --calibrate $C \
  --link pi-link --slo p90:2s --server $S/P*-server-scenario.json --out $OUT/pi-link
$J predict $C/jmh/unit-profile-mobilenetv2.json --calibrate $C \
  --link pi-link --slo p90:2s --server docs/runs/2026-12-07-pi-link/P*-server-scenario.json --out $OUT/pi-link-2026-12-07
$J predict $C/jmh/unit-profile-mobilenetv2.json --calibrate $C \
  --link pi-link --slo p99:2s --server docs/runs/2026-12-07-pi-link-p99/Q*-server-scenario.json --out $OUT/pi-link-p99
$J server $S/L*-server-scenario.json $S/split*-server-scenario.json --closed-loop $C --out $OUT/server-loopback
rm -rf $OUT/*/charts
