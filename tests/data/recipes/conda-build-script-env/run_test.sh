# conda-build runs the recipe's run_test.sh, then the commands appended to it.
test -n "$PREFIX"
echo ran > ran-run-test.txt
