mkdir %PREFIX%\share\multi-script
echo lib %PKG_NAME% %PKG_VERSION% > %PREFIX%\share\multi-script\lib.txt
